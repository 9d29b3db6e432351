package dev.vessel.host.internal.release;

import dev.vessel.registry.ConfigurationSchema;
import dev.vessel.host.ReleaseReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads the OSGi Metatype documents of a release's bundles ({@code OSGI-INF/metatype/*.xml}, what bnd writes
 * from {@code @ObjectClassDefinition} and {@code @Designate}) into one {@link ConfigurationSchema} per designated
 * PID. Read when the release is created, so that a configuration can later be checked against it from the
 * registry alone. The documents are untrusted input: no DTDs, no external entities, at most 256 per bundle and
 * 1 MiB each, as read (so a zip entry that inflates far beyond its size is cut off early).
 */
final class MetatypeReader {
    private static final String DIR = "OSGI-INF/metatype/";
    /** Metatype documents one bundle may have; bnd writes one per configuration class. */
    static final int MAX_DOCUMENTS_PER_BUNDLE = ReleaseReader.MAX_DESCRIPTORS_PER_BUNDLE;
    /** Size of one Metatype document, as read. */
    static final int MAX_DOCUMENT_BYTES = ReleaseReader.MAX_DESCRIPTOR_BYTES;

    private MetatypeReader() {}

    static List<ConfigurationSchema> read(List<Path> bundles) throws IOException {
        List<ConfigurationSchema> schemas = new ArrayList<>();
        DocumentBuilder parser = parser();
        for (Path bundle : bundles) {
            try (JarFile jar = new JarFile(bundle.toFile())) {
                List<JarEntry> documents = jar.stream().filter(e -> e.getName().startsWith(DIR)
                        && e.getName().endsWith(".xml")).limit(MAX_DOCUMENTS_PER_BUNDLE + 1L).toList();
                if (documents.size() > MAX_DOCUMENTS_PER_BUNDLE) {
                    throw new IOException(bundle.getFileName() + " has more than " + MAX_DOCUMENTS_PER_BUNDLE
                            + " Metatype documents");
                }
                for (JarEntry entry : documents) {
                    byte[] xml;
                    try (InputStream in = jar.getInputStream(entry)) {
                        // read with a bound, not by the entry's declared size: a small jar can inflate to gigabytes
                        xml = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
                    }
                    if (xml.length > MAX_DOCUMENT_BYTES) {
                        throw new IOException(bundle.getFileName() + "!/" + entry.getName() + " is larger than "
                                + MAX_DOCUMENT_BYTES + " bytes; a Metatype document is a few kilobytes");
                    }
                    try {
                        schemas.addAll(schemas(parser.parse(new java.io.ByteArrayInputStream(xml))));
                    } catch (SAXException e) {
                        throw new IOException(bundle.getFileName() + "!/" + entry.getName() + " is not a Metatype"
                                + " document: " + e.getMessage(), e);
                    }
                }
            }
        }
        return schemas;
    }

    private static List<ConfigurationSchema> schemas(Document document) {
        Map<String, List<ConfigurationSchema.Attribute>> ocds = new HashMap<>();
        for (Element ocd : children(document.getDocumentElement(), "OCD")) {
            List<ConfigurationSchema.Attribute> attributes = new ArrayList<>();
            for (Element ad : children(ocd, "AD")) {
                List<String> options = new ArrayList<>();
                for (Element option : children(ad, "Option")) {
                    options.add(option.getAttribute("value"));
                }
                String defaults = ad.getAttribute("default");
                attributes.add(new ConfigurationSchema.Attribute(ad.getAttribute("id"), or(ad.getAttribute("type"),
                        "String"), Integer.parseInt(or(ad.getAttribute("cardinality"), "0")),
                        !"false".equals(ad.getAttribute("required")), defaults.isEmpty() && !ad.hasAttribute("default")
                                ? List.of() : Arrays.asList(defaults.split("(?<!\\\\),", -1)), options,
                        nullIfEmpty(ad.getAttribute("min")), nullIfEmpty(ad.getAttribute("max"))));
            }
            ocds.put(ocd.getAttribute("id"), attributes);
        }
        List<ConfigurationSchema> schemas = new ArrayList<>();
        for (Element designate : children(document.getDocumentElement(), "Designate")) {
            String pid = or(designate.getAttribute("pid"), designate.getAttribute("factoryPid"));
            for (Element object : children(designate, "Object")) {
                List<ConfigurationSchema.Attribute> attributes = ocds.get(object.getAttribute("ocdref"));
                if (attributes != null && !pid.isEmpty()) {
                    schemas.add(new ConfigurationSchema(pid, attributes));
                }
            }
        }
        return schemas;
    }

    /** Child elements by local name, whatever Metatype namespace version the document uses. */
    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && name.equals(element.getLocalName() != null
                    ? element.getLocalName() : element.getTagName())) {
                found.add(element);
            }
        }
        return found;
    }

    private static String or(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static String nullIfEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static DocumentBuilder parser() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no XML parser: " + e.getMessage(), e);
        }
    }
}
