package dev.vessel.sample.greeter.impl;

import dev.vessel.sample.greeter.api.Greeter;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Component(service = Greeter.class, property = "vessel.endpoint=greeter")
public class GreeterComponent implements Greeter {
    /** org.slf4j comes from the host: every Vessel container exports it into the framework. */
    private static final Logger LOG = LoggerFactory.getLogger(GreeterComponent.class);

    private final String version;

    @Activate
    public GreeterComponent(BundleContext context) {
        this.version = context.getBundle().getVersion().toString();
        LOG.debug("greeter {} activated", version);
    }

    @Override
    public String greet(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return "Hello, " + name + "! (greeter " + version + ")";
    }

    @Override
    public String greetAll(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("names must not be empty");
        }
        return "Hello, " + String.join(" and ", names) + "! (greeter " + version + ")";
    }

    @Override
    public String version() {
        return version;
    }
}
