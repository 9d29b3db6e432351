package dev.vessel.sample.hanging;

import java.util.concurrent.CountDownLatch;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Fixture: an activator that never returns, and ignores interrupts while it does not. */
public class HangingActivator implements BundleActivator {
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    @Override
    public void start(BundleContext context) {
        while (true) {
            try {
                NEVER.await();
            } catch (InterruptedException ignored) {
                // keeps hanging
            }
        }
    }

    @Override
    public void stop(BundleContext context) {
        // never started
    }
}
