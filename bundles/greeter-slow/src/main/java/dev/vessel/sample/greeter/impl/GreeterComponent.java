package dev.vessel.sample.greeter.impl;

import dev.vessel.sample.greeter.api.Greeter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * A release that answers every call right, 25 ms late: the kind of bad release a rollout rule's latency gate must
 * roll back.
 */
@Component(service = Greeter.class, property = "vessel.endpoint=greeter")
public class GreeterComponent implements Greeter {
    private static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    private final String version;

    @Activate
    public GreeterComponent(BundleContext context) {
        this.version = context.getBundle().getVersion().toString();
    }

    /** The release's own slowness (its work, simulated), not a wait for anything. */
    private static void slowly() {
        long until = System.nanoTime() + DELAY_NANOS;
        while (System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    @Override
    public String greet(String name) {
        slowly();
        return "Hello, " + name + "! (greeter " + version + ")";
    }

    @Override
    public String greetAll(List<String> names) {
        slowly();
        return "Hello, " + String.join(" and ", names) + "! (greeter " + version + ")";
    }

    @Override
    public String version() {
        slowly();
        return version;
    }
}
