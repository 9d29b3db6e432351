package dev.vessel.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.osgi.framework.Version;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads a release from bundle jars without starting anything: each jar must be a bundle (symbolic name and a
 * valid version); endpoints are the {@code vessel.endpoint} properties of its Declarative Services components
 * plus any names in a {@code Vessel-Endpoints} header. Bundles need no Vessel dependency for this.
 */
public final class ReleaseReader {
    public static final String ENDPOINT_PROPERTY = "vessel.endpoint";
    public static final String SERVICE_HEADER = "Vessel-Service";
    public static final String ENDPOINTS_HEADER = "Vessel-Endpoints";
    /** Bundles in one release. */
    public static final int MAX_BUNDLES = 64;
    /** Component descriptors one bundle may name (wildcards expanded). */
    public static final int MAX_DESCRIPTORS_PER_BUNDLE = 256;
    /** Size of one component descriptor, as read: a zip entry's declared size can lie. */
    public static final int MAX_DESCRIPTOR_BYTES = 1 << 20;

    private ReleaseReader() {}

    /** Reads every {@code *.jar} in {@code directory}, in name order. */
    public static Release readDirectory(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidReleaseException(directory + " is not a directory of bundle jars");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(directory)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new InvalidReleaseException("cannot list " + directory + ": " + e.getMessage(), e);
        }
        if (jars.isEmpty()) {
            throw new InvalidReleaseException(directory + " holds no .jar files");
        }
        return read(jars);
    }

    /**
     * @throws InvalidReleaseException naming the jar and the reason when a jar is not a bundle, or no bundle
     *                                 declares an endpoint
     */
    public static Release read(List<Path> jars) {
        return read(jars, jar -> jar.getFileName().toString());
    }

    /**
     * Like {@link #read(List)}, naming each jar in messages by {@code displayName} (e.g. the name it was uploaded
     * under, where the file itself is named by its digest).
     */
    public static Release read(List<Path> jars, Function<Path, String> displayName) {
        if (jars.isEmpty()) {
            throw new InvalidReleaseException("a release needs at least one bundle jar");
        }
        if (jars.size() > MAX_BUNDLES) {
            throw new InvalidReleaseException("a release has at most " + MAX_BUNDLES + " bundle jars; got "
                    + jars.size());
        }
        String service = null;
        Version version = null;
        String primary = null;
        Set<String> endpoints = new LinkedHashSet<>();
        List<Path> bundles = new ArrayList<>();
        for (Path jar : jars) {
            BundleFacts facts = inspect(jar, displayName.apply(jar));
            bundles.add(jar);
            if (!facts.endpoints.isEmpty() && primary == null) {
                primary = facts.symbolicName;
                version = facts.version;
                service = facts.service != null ? facts.service : facts.symbolicName;
            }
            endpoints.addAll(facts.endpoints);
        }
        if (primary == null) {
            throw new InvalidReleaseException("no bundle in " + jars.stream().map(displayName).toList()
                    + " declares an endpoint: expected a"
                    + " Declarative Services component with the service property " + ENDPOINT_PROPERTY
                    + "=<name>, or a " + ENDPOINTS_HEADER + " manifest header");
        }
        try {
            return new Release(service, version, primary, bundles, endpoints);
        } catch (IllegalArgumentException e) {
            throw new InvalidReleaseException("release of " + primary + ": " + e.getMessage(), e);
        }
    }

    private record BundleFacts(String symbolicName, Version version, String service, Set<String> endpoints) {}

    private static BundleFacts inspect(Path jar, String name) {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getManifest() == null) {
                throw new InvalidReleaseException(name + " is not an OSGi bundle: it has no manifest");
            }
            Attributes main = file.getManifest().getMainAttributes();
            String symbolicName = main.getValue("Bundle-SymbolicName");
            if (symbolicName == null || symbolicName.isBlank()) {
                throw new InvalidReleaseException(name + " is not an OSGi bundle: its manifest has no "
                        + "Bundle-SymbolicName");
            }
            symbolicName = symbolicName.split(";", 2)[0].trim();
            String rawVersion = main.getValue("Bundle-Version");
            if (rawVersion == null) {
                throw new InvalidReleaseException(name + " (" + symbolicName + ") has no Bundle-Version");
            }
            Version version;
            try {
                version = Version.parseVersion(rawVersion.trim());
            } catch (IllegalArgumentException e) {
                throw new InvalidReleaseException(name + " (" + symbolicName + ") has an invalid Bundle-Version '"
                        + rawVersion + "': " + e.getMessage(), e);
            }
            Set<String> endpoints = new LinkedHashSet<>(list(main.getValue(ENDPOINTS_HEADER)));
            List<JarEntry> descriptors = new ArrayList<>();
            for (String descriptor : list(main.getValue("Service-Component"))) {
                descriptors.addAll(matching(file, descriptor));
                if (descriptors.size() > MAX_DESCRIPTORS_PER_BUNDLE) {
                    throw new InvalidReleaseException(name + " (" + symbolicName + ") names more than "
                            + MAX_DESCRIPTORS_PER_BUNDLE + " component descriptors");
                }
            }
            for (JarEntry descriptor : descriptors) {
                endpoints.addAll(componentEndpoints(file, descriptor, name));
            }
            String service = main.getValue(SERVICE_HEADER);
            return new BundleFacts(symbolicName, version, service == null ? null : service.trim(), endpoints);
        } catch (IOException e) {
            throw new InvalidReleaseException(name + " is not a readable jar: " + e.getMessage(), e);
        }
    }

    private static Set<String> componentEndpoints(JarFile file, JarEntry entry, String jarName) throws IOException {
        byte[] xml;
        try (InputStream in = file.getInputStream(entry)) {
            xml = in.readNBytes(MAX_DESCRIPTOR_BYTES + 1);
        }
        if (xml.length > MAX_DESCRIPTOR_BYTES) {
            throw new InvalidReleaseException(jarName + ": component descriptor " + entry.getName() + " is larger than "
                    + MAX_DESCRIPTOR_BYTES + " bytes");
        }
        Set<String> endpoints = new LinkedHashSet<>();
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // no DOCTYPE: no external entities and no entity expansion
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
            NodeList properties = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(xml))
                    .getElementsByTagName("property");
            for (int i = 0; i < properties.getLength(); i++) {
                Element property = (Element) properties.item(i);
                if (ENDPOINT_PROPERTY.equals(property.getAttribute("name"))) {
                    String value = property.getAttribute("value").trim();
                    if (!value.isEmpty()) {
                        endpoints.add(value);
                    }
                }
            }
        } catch (ParserConfigurationException | SAXException e) {
            throw new InvalidReleaseException(jarName + ": component descriptor " + entry.getName()
                    + " is not valid XML: " + e.getMessage(), e);
        }
        return endpoints;
    }

    /** Service-Component entries may end in a {@code *.xml} wildcard. */
    private static List<JarEntry> matching(JarFile file, String descriptor) {
        int star = descriptor.indexOf('*');
        if (star < 0) {
            JarEntry entry = file.getJarEntry(descriptor);
            return entry == null ? List.of() : List.of(entry);
        }
        String prefix = descriptor.substring(0, star);
        String suffix = descriptor.substring(star + 1);
        List<JarEntry> found = new ArrayList<>();
        for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
            JarEntry entry = entries.nextElement();
            String entryName = entry.getName();
            if (entryName.startsWith(prefix) && entryName.endsWith(suffix) && entryName.indexOf('/', prefix.length()) < 0) {
                found.add(entry);
            }
        }
        return found;
    }

    private static List<String> list(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (String part : header.split(",")) {
            String value = part.split(";", 2)[0].trim();
            if (!value.isEmpty()) {
                values.add(value);
            }
        }
        return values;
    }
}
