package dev.vessel.sample.greeter.impl;

import dev.vessel.sample.greeter.api.Greeter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * A release that starts fine and then throws on every third call, whatever the method: the kind of bad release a
 * rollout rule's error-rate gate must roll back.
 */
@Component(service = Greeter.class, property = "vessel.endpoint=greeter")
public class GreeterComponent implements Greeter {
    private final String version;
    private final AtomicLong calls = new AtomicLong();

    @Activate
    public GreeterComponent(BundleContext context) {
        this.version = context.getBundle().getVersion().toString();
    }

    private void failEveryThirdCall() {
        if (calls.incrementAndGet() % 3 == 0) {
            throw new IllegalStateException("greeter " + version + " fails every third call");
        }
    }

    @Override
    public String greet(String name) {
        failEveryThirdCall();
        return "Hello, " + name + "! (greeter " + version + ")";
    }

    @Override
    public String greetAll(List<String> names) {
        failEveryThirdCall();
        return "Hello, " + String.join(" and ", names) + "! (greeter " + version + ")";
    }

    @Override
    public String version() {
        failEveryThirdCall();
        return version;
    }
}
