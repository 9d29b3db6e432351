package dev.vessel.test.osgi;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** What the OSGi suites look up in their framework (runs inside it, as part of Pax Exam's probe). */
final class InstalledBundles {
    private InstalledBundles() {}

    /** The installed bundle named {@code symbolicName}, or null. */
    static Bundle find(BundleContext context, String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        return null;
    }
}
