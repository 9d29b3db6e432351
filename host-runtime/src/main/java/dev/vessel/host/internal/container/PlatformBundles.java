package dev.vessel.host.internal.container;

import dev.vessel.host.ContainerPlatform;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/** Installs {@link ContainerPlatform}'s bundles into a container's framework. */
final class PlatformBundles {
    /** Location of every platform bundle, so the exit weaving can tell them from the release's. */
    static final String LOCATION_PREFIX = "vessel-platform:";

    private PlatformBundles() {}

    /** Installs and starts the platform; returns the bundles in start order. */
    static List<Bundle> install(BundleContext context) throws BundleException {
        List<Bundle> installed = new ArrayList<>();
        for (ContainerPlatform.PlatformBundle bundle : ContainerPlatform.bundles()) {
            try (InputStream in = bundle.open()) {
                installed.add(context.installBundle(LOCATION_PREFIX + bundle.name(), in));
            } catch (IOException e) {
                throw new BundleException("cannot read platform bundle " + bundle.name() + ": " + e.getMessage(), e);
            }
        }
        for (Bundle bundle : installed) {
            bundle.start();
        }
        return installed;
    }
}
