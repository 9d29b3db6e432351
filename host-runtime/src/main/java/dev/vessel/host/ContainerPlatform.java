package dev.vessel.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What every container's framework has before a release's bundles are installed, defined once: the node builds each
 * container from it, and the test kit's Pax Exam options ({@code dev.vessel.test.VesselOptions}) reproduce a
 * container from it, so the two cannot drift. The platform bundles are the jars this artifact carries under {@code
 * vessel-platform/}, installed and started in {@code vessel-platform/bundles.list}'s order.
 */
public final class ContainerPlatform {
    private static final String DIR = "vessel-platform/";
    private static final List<PlatformBundle> BUNDLES = readBundles();

    private ContainerPlatform() {}

    /** One platform bundle: its file name and where its bytes are (a resource of this artifact). */
    public record PlatformBundle(String name, URL url) {
        public InputStream open() throws IOException {
            return url.openStream();
        }
    }

    /** The platform bundles in install and start order (Configuration Admin before SCR, Log first). */
    public static List<PlatformBundle> bundles() {
        return BUNDLES;
    }

    /** The Felix settings of every container, besides its storage and the packages the host exports. */
    public static Map<String, String> frameworkProperties() {
        // one resolver thread: the default keeps idle resolver threads (and their memory) per stopped framework;
        // Configuration Admin in memory: the registry is where configurations live (a container gets its current
        // revision before its release starts), and its file store wrote every value, secrets too, in clear text
        return Map.of("felix.resolver.parallelism", "1", "ds.loglevel", "warn", "felix.cm.pm", "memory");
    }

    /**
     * The host packages a node exports to its containers unless told otherwise
     * ({@code org.osgi.framework.system.packages.extra}): the host's SLF4J API ({@code org.slf4j} and the
     * {@code event}, {@code helpers} and {@code spi} packages that bundles such as Jetty's import beside it),
     * exported at the version the host runs and also at 1.7.36, as slf4j-api 2 does itself: its API is what bundles
     * built against 1.7 ({@code [1.7,2)}) call.
     */
    public static String systemPackages() {
        String version = org.slf4j.LoggerFactory.class.getPackage().getImplementationVersion();
        String current = version == null ? "2.0.0" : version;
        StringBuilder packages = new StringBuilder();
        for (String name : List.of("org.slf4j", "org.slf4j.event", "org.slf4j.helpers", "org.slf4j.spi")) {
            for (String exported : List.of(current, "1.7.36")) {
                packages.append(packages.isEmpty() ? "" : ",").append(name).append(";version=").append(exported);
            }
        }
        return packages.toString();
    }

    private static List<PlatformBundle> readBundles() {
        try (InputStream in = resource("bundles.list").openStream();
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .map(name -> new PlatformBundle(name, resource(name))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("the host runtime jar is incomplete: " + e.getMessage(), e);
        }
    }

    private static URL resource(String name) {
        URL url = ContainerPlatform.class.getClassLoader().getResource(DIR + name);
        if (url == null) {
            throw new IllegalStateException(DIR + name + " is missing from the host runtime jar");
        }
        return url;
    }
}
