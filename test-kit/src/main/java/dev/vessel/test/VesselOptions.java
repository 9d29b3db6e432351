package dev.vessel.test;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;

import dev.vessel.host.ContainerPlatform;
import dev.vessel.test.endpoint.Endpoints;
import dev.vessel.test.seed.ConfigurationSeedActivator;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.ops4j.pax.exam.Option;

/**
 * Pax Exam options that reproduce what a Vessel container gives a release, for a test that its bundles resolve,
 * start and do their work inside exactly that platform:
 *
 * <pre>
 * &#64;Configuration
 * public Option[] config() {
 *     return options(
 *             VesselOptions.container(),
 *             VesselOptions.configuration("com.example.calc", "precision", 10),
 *             mavenBundle("com.example", "calc-impl", "1.1.0"));
 * }
 * </pre>
 *
 * The platform comes from {@link ContainerPlatform}, the definition a node builds its containers from, so a test
 * and the node cannot drift: the same Felix settings, the same platform bundles (the very jars the node installs,
 * read from {@code vessel-host-runtime}) in the same order, the same host packages. What a node adds around a
 * container that a framework of Pax Exam's does not have: the exit guard (a release's {@code System.exit} is refused),
 * the call bulkhead and CPU budget, and the calls themselves, which arrive over HTTP.
 */
public final class VesselOptions {
    /** The start level of the platform's bundles: first. */
    public static final int PLATFORM_START_LEVEL = 1;
    /**
     * The start level of the bundles that seed {@link #configuration configurations}: after the platform, before the
     * release's bundles at Pax Exam's default (3), whatever the order of the options.
     */
    public static final int CONFIGURATION_START_LEVEL = 2;
    private static final Set<Class<?>> CONFIGURATION_TYPES = Set.of(String.class, Integer.class, Long.class,
            Float.class, Double.class, Byte.class, Short.class, Character.class, Boolean.class);

    private VesselOptions() {}

    /**
     * Lets a test call the release's endpoints the way a node does, with {@link
     * dev.vessel.test.endpoint.Endpoints}: exports that package from the system bundle, so that the node's call code
     * runs outside the framework, as in a node. A container does not have it; it adds nothing a release could use.
     */
    public static Option endpointCalls() {
        return systemPackages(Endpoints.class.getPackageName()); // the probe imports it dynamically, any version
    }

    /**
     * The platform every Vessel container has: Felix with the node's settings, the host packages a node exports,
     * the platform bundles (OSGi promises and functions, Declarative Services (Felix SCR), Felix Log, Configuration
     * Admin and Metatype) installed and started in the node's order, and the JUnit bundles Pax Exam's probe needs.
     */
    public static Option container() {
        List<Option> options = new ArrayList<>();
        for (Map.Entry<String, String> property : ContainerPlatform.frameworkProperties().entrySet()) {
            options.add(frameworkProperty(property.getKey()).value(property.getValue()));
        }
        options.add(systemPackages(packages(ContainerPlatform.systemPackages())));
        for (ContainerPlatform.PlatformBundle platform : ContainerPlatform.bundles()) {
            options.add(bundle(platform.url().toExternalForm()).startLevel(PLATFORM_START_LEVEL));
        }
        options.add(junitBundles());
        return composite(options.toArray(Option[]::new));
    }

    /**
     * A configuration of {@code pid}, as a node gives it to a container before the release's bundles start: in
     * Configuration Admin, bound to no bundle, so the component that names the PID gets it when it activates.
     *
     * @param keysAndValues key, value, key, value...: keys are strings, values strings, numbers, characters or
     *                      booleans (the types a Vessel configuration's YAML gives)
     * @throws IllegalArgumentException for an odd count, a key that is not a string, or a value of another type
     */
    public static Option configuration(String pid, Object... keysAndValues) {
        if (pid == null || pid.isBlank()) {
            throw new IllegalArgumentException("a configuration needs a PID");
        }
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("configuration " + pid + ": keys and values come in pairs; got "
                    + keysAndValues.length + " arguments");
        }
        Hashtable<String, Object> properties = new Hashtable<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!(keysAndValues[i] instanceof String key) || key.isBlank()) {
                throw new IllegalArgumentException("configuration " + pid + ": argument " + (i + 1)
                        + " must be a key (a non-blank string); got " + keysAndValues[i]);
            }
            Object value = keysAndValues[i + 1];
            if (value == null || !CONFIGURATION_TYPES.contains(value.getClass())) {
                throw new IllegalArgumentException("configuration " + pid + ": " + key + " must be a string, number,"
                        + " character or boolean; got " + (value == null ? "null" : value.getClass().getName()));
            }
            properties.put(key, value);
        }
        return streamBundle(new ByteArrayInputStream(seedBundle(pid, properties)))
                .startLevel(CONFIGURATION_START_LEVEL);
    }

    /**
     * Vessel's client bundles ({@code vessel-protocol}, {@code vessel-registry-client}, {@code
     * vessel-version-router}) with what they need inside OSGi (Jackson, Curator's OSGi jars on Guava, ZooKeeper as
     * {@code vessel-zookeeper-osgi}, the Netty classes ZooKeeper's client touches), from Maven by Pax URL at the
     * versions this Vessel was built and tested with: for an OSGi application that uses {@code VesselClient}.
     */
    public static Option clientBundles() {
        List<Option> options = new ArrayList<>();
        for (String url : clientBundleUrls()) {
            options.add(bundle(url));
        }
        return composite(options.toArray(Option[]::new));
    }

    /** The Maven URLs {@link #clientBundles()} installs, in order. */
    static List<String> clientBundleUrls() {
        try (InputStream in = VesselOptions.class.getResourceAsStream("client-bundles.list")) {
            if (in == null) {
                throw new IllegalStateException("client-bundles.list is missing from the vessel-test jar");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code org.slf4j;version=2.0.17,org.slf4j;version=1.7.36} as one package clause each. */
    private static String[] packages(String systemPackages) {
        return java.util.Arrays.stream(systemPackages.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .toArray(String[]::new);
    }

    /** A bundle holding {@link ConfigurationSeedActivator} and what it is to give {@code pid}. */
    private static byte[] seedBundle(String pid, Hashtable<String, Object> properties) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "dev.vessel.test.configuration."
                + pid.replaceAll("[^A-Za-z0-9._-]", "_"));
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Activator", ConfigurationSeedActivator.class.getName());
        main.putValue("Import-Package", "org.osgi.framework;version=\"[1.8,2)\","
                + "org.osgi.service.cm;version=\"[1.6,2)\"");
        String activator = ConfigurationSeedActivator.class.getName().replace('.', '/') + ".class";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            jar.putNextEntry(new JarEntry(activator));
            try (InputStream in = VesselOptions.class.getClassLoader().getResourceAsStream(activator)) {
                if (in == null) {
                    throw new IllegalStateException(activator + " is missing from the vessel-test jar");
                }
                in.transferTo(jar);
            }
            jar.closeEntry();
            jar.putNextEntry(new JarEntry(ConfigurationSeedActivator.SEED));
            ObjectOutputStream objects = new ObjectOutputStream(jar);
            objects.writeObject(pid);
            objects.writeObject(properties);
            objects.flush();
            jar.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the bundle that configures " + pid, e);
        }
        return bytes.toByteArray();
    }
}
