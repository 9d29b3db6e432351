package dev.vessel.itest.osgi;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ops4j.pax.exam.Option;

/**
 * Small Pax Exam option factories that reproduce a Vessel container (Felix, SCR and the host's org.slf4j) and
 * provision Vessel's client bundles with their dependencies. Bundle files come from {@code target/bundles}, where
 * the build copies them (reactor artifacts have no Maven coordinates Pax Exam can resolve before install).
 */
public final class VesselOptions {
    private VesselOptions() {}

    /** The platform every Vessel container gets. */
    public static Option vesselContainer() {
        return composite(
                frameworkProperty("felix.resolver.parallelism").value("1"),
                // what a node exports through org.osgi.framework.system.packages.extra (slf4j 2 also at 1.7.36,
                // the version older bundles such as Curator import)
                systemPackages("org.slf4j;version=2.0.17", "org.slf4j;version=1.7.36",
                        "org.slf4j.helpers;version=2.0.17", "org.slf4j.helpers;version=1.7.36",
                        "org.slf4j.spi;version=2.0.17", "org.slf4j.event;version=2.0.17"),
                bundleFile("org.osgi.util.function"),
                bundleFile("org.osgi.util.promise"),
                bundleFile("org.osgi.service.component"),
                bundleFile("org.apache.felix.scr"),
                junitBundles());
    }

    /**
     * vessel-protocol, vessel-registry-client and vessel-version-router with Curator, ZooKeeper and Jackson:
     * Curator's 'osgi' classifier jars on a Guava bundle, ZooKeeper wrapped into one bundle by the test kit.
     */
    public static Option vesselClientBundles() {
        return composite(
                bundleFile("jackson-annotations"),
                bundleFile("jackson-core"),
                bundleFile("jackson-databind"),
                bundleFile("failureaccess"),
                bundleFile("guava"),
                bundleFile("jsr305"),
                // ZooKeeper's client configuration touches Netty's SSL classes even for plain connections
                bundleFile("netty-common"),
                bundleFile("netty-buffer"),
                bundleFile("netty-resolver"),
                bundleFile("netty-transport"),
                bundleFile("netty-transport-native-unix-common"),
                bundleFile("netty-codec"),
                bundleFile("netty-handler"),
                bundleFile("vessel-itest-zookeeper-bundle"),
                bundleFile("curator-client-osgi"),
                bundleFile("curator-framework-osgi"),
                bundleFile("curator-recipes-osgi"),
                bundleFile("curator-x-discovery-osgi"),
                bundleFile("vessel-protocol"),
                bundleFile("vessel-registry-client"),
                bundleFile("vessel-version-router"));
    }

    /** A bundle copied to {@code target/bundles/<name>.jar} by the build. */
    public static Option bundleFile(String name) {
        Path file = bundlesDir().resolve(name + ".jar");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: run the suite through Maven (mvn verify)");
        }
        return bundle(file.toUri().toString());
    }

    private static Path bundlesDir() {
        String dir = System.getProperty("vessel.itest.bundles");
        if (dir == null) {
            throw new IllegalStateException("vessel.itest.bundles is not set: run the suite through Maven");
        }
        return Path.of(dir);
    }
}
