package dev.vessel.sample.broken.activator;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Fixture: an activator that throws, so the bundle can never start. */
public class RefusingActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException("refusing to start: fixture for a failing activator");
    }

    @Override
    public void stop(BundleContext context) {
        // never started
    }
}
