package dev.vessel.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A release is read within stated limits: bundles per release, descriptors per bundle, bytes per descriptor. */
class ReleaseReaderLimitsTest {
    private static final String COMPONENT = "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\""
            + " name=\"c\"><property name=\"vessel.endpoint\" value=\"echo\"/></scr:component>";

    @TempDir
    Path dir;

    @Test
    void aWellFormedBundleWithinTheLimitsIsRead() throws Exception {
        Release release = ReleaseReader.read(List.of(bundle("ok", "OSGI-INF/*.xml",
                Map.of("OSGI-INF/a.xml", COMPONENT.getBytes(StandardCharsets.UTF_8)))));
        assertThat(release.endpoints()).containsExactly("echo");
    }

    @Test
    void aDescriptorOverItsSizeLimitIsRefusedNamingIt() throws Exception {
        byte[] huge = (COMPONENT + "<!--" + "x".repeat(ReleaseReader.MAX_DESCRIPTOR_BYTES) + "-->")
                .getBytes(StandardCharsets.UTF_8);
        Path jar = bundle("huge", "OSGI-INF/c.xml", Map.of("OSGI-INF/c.xml", huge));
        assertThatThrownBy(() -> ReleaseReader.read(List.of(jar))).isInstanceOf(InvalidReleaseException.class)
                .hasMessage("huge.jar: component descriptor OSGI-INF/c.xml is larger than 1048576 bytes");
    }

    @Test
    void tooManyDescriptorsAreRefused() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i <= ReleaseReader.MAX_DESCRIPTORS_PER_BUNDLE; i++) {
            entries.put("OSGI-INF/c" + i + ".xml", COMPONENT.getBytes(StandardCharsets.UTF_8));
        }
        Path jar = bundle("many", "OSGI-INF/*.xml", entries);
        assertThatThrownBy(() -> ReleaseReader.read(List.of(jar))).isInstanceOf(InvalidReleaseException.class)
                .hasMessage("many.jar (many) names more than 256 component descriptors");
    }

    @Test
    void aDescriptorWithADoctypeIsRefusedSoNoEntityIsExpanded() throws Exception {
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                + COMPONENT.replace("value=\"echo\"", "value=\"&b;\"");
        Path jar = bundle("bomb", "OSGI-INF/c.xml", Map.of("OSGI-INF/c.xml", bomb.getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> ReleaseReader.read(List.of(jar))).isInstanceOf(InvalidReleaseException.class)
                .hasMessageStartingWith("bomb.jar: component descriptor OSGI-INF/c.xml is not valid XML")
                .hasMessageContaining("DOCTYPE");
    }

    @Test
    void tooManyBundlesAreRefused() throws Exception {
        List<Path> jars = new ArrayList<>();
        for (int i = 0; i <= ReleaseReader.MAX_BUNDLES; i++) {
            jars.add(bundle("b" + i, "OSGI-INF/c.xml",
                    Map.of("OSGI-INF/c.xml", COMPONENT.getBytes(StandardCharsets.UTF_8))));
        }
        assertThatThrownBy(() -> ReleaseReader.read(jars)).isInstanceOf(InvalidReleaseException.class)
                .hasMessage("a release has at most 64 bundle jars; got 65");
    }

    private Path bundle(String name, String serviceComponent, Map<String, byte[]> entries) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", name);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Service-Component", serviceComponent);
        Path jar = dir.resolve(name + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        return jar;
    }
}
