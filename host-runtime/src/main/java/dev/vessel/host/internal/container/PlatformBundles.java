package dev.vessel.host.internal.container;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The platform bundles every container gets (Felix SCR and the OSGi APIs it needs), shipped as resources of
 * this jar under {@code vessel-platform/} and listed in install order in {@code bundles.list}.
 */
final class PlatformBundles {
    /** Location of every platform bundle, so the exit weaving can tell them from the release's. */
    static final String LOCATION_PREFIX = "vessel-platform:";
    private static final String DIR = "vessel-platform/";
    private static final List<String> NAMES = readList();

    private PlatformBundles() {}

    /** Installs and starts the platform; returns the bundles in start order. */
    static List<Bundle> install(BundleContext context) throws BundleException {
        List<Bundle> installed = new ArrayList<>();
        for (String name : NAMES) {
            try (InputStream in = resource(name)) {
                installed.add(context.installBundle(LOCATION_PREFIX + name, in));
            } catch (IOException e) {
                throw new BundleException("cannot read platform bundle " + name + ": " + e.getMessage(), e);
            }
        }
        for (Bundle bundle : installed) {
            bundle.start();
        }
        return installed;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = PlatformBundles.class.getClassLoader().getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IOException(DIR + name + " is missing from the host runtime jar");
        }
        return in;
    }

    private static List<String> readList() {
        try (InputStream in = resource("bundles.list");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("the host runtime jar is incomplete: " + e.getMessage(), e);
        }
    }
}
