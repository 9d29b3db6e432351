package dev.vessel.sample.configurable.impl;

import java.util.Locale;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A greeter configured the ordinary OSGi way: Declarative Services hands it {@link GreetingConfig}, and a change
 * arrives through {@link #modified} without the component (or its endpoint) going away. No Vessel code.
 */
@Component(service = ConfigurableGreeterComponent.class, property = "vessel.endpoint=greeter",
        configurationPid = ConfigurableGreeterComponent.PID)
@Designate(ocd = GreetingConfig.class)
public class ConfigurableGreeterComponent {
    public static final String PID = "dev.vessel.sample.configurable.greeting";

    private final String version;
    private volatile GreetingConfig config;

    @Activate
    public ConfigurableGreeterComponent(BundleContext context, GreetingConfig config) {
        this.version = context.getBundle().getVersion().toString();
        this.config = config;
    }

    /**
     * Takes a changed configuration, or refuses it by throwing (a blank salutation, which its Metatype does not
     * forbid, on purpose: the tests show what a container does with a component that throws on reconfiguration).
     */
    @Modified
    void modified(GreetingConfig changed) {
        if (changed.salutation().isBlank()) {
            throw new IllegalArgumentException("the salutation must not be blank");
        }
        this.config = changed;
    }

    /** The greeting for {@code name}, as the current configuration says. */
    public String greet(String name) {
        GreetingConfig current = config;
        String greeting = current.salutation() + ", " + name + "!".repeat(Math.max(0, current.emphasis()));
        if ("upper".equals(current.style())) {
            greeting = greeting.toUpperCase(Locale.ROOT);
        }
        return greeting + " (configurable-greeter " + version + ")";
    }
}
