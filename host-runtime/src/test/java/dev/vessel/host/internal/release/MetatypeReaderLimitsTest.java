package dev.vessel.host.internal.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A release's Metatype documents are untrusted: read with bounds on their number and their inflated size. */
class MetatypeReaderLimitsTest {
    private static final String OCD = "<metatype:MetaData xmlns:metatype=\"http://www.osgi.org/xmlns/metatype/v1.4.0\">"
            + "<OCD id=\"greeter\" name=\"greeter\"><AD id=\"greeting\" type=\"String\" default=\"Hello\"/></OCD>"
            + "<Designate pid=\"greeter\"><Object ocdref=\"greeter\"/></Designate></metatype:MetaData>";

    @TempDir
    Path dir;

    @Test
    void aDocumentThatInflatesPastItsBoundIsRefusedBeforeItIsParsed() throws IOException {
        // 64 MiB of whitespace inside a valid document: about 64 KB in the jar
        Path jar = dir.resolve("bomb.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("OSGI-INF/metatype/bomb.xml"));
            out.write(OCD.substring(0, OCD.indexOf("<OCD")).getBytes(StandardCharsets.US_ASCII));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 64; i++) {
                out.write(spaces);
            }
            out.write(OCD.substring(OCD.indexOf("<OCD")).getBytes(StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        assertThat(Files.size(jar)).isLessThan(1 << 20);
        assertThatThrownBy(() -> MetatypeReader.read(List.of(jar))).isInstanceOf(IOException.class)
                .hasMessageContaining("bomb.jar!/OSGI-INF/metatype/bomb.xml is larger than 1048576 bytes");
    }

    @Test
    void aBundleWithMoreDocumentsThanTheBoundIsRefused() throws IOException {
        Path jar = dir.resolve("many.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (int i = 0; i <= MetatypeReader.MAX_DOCUMENTS_PER_BUNDLE; i++) {
                out.putNextEntry(new ZipEntry("OSGI-INF/metatype/d" + i + ".xml"));
                out.write(OCD.getBytes(StandardCharsets.US_ASCII));
                out.closeEntry();
            }
        }
        assertThatThrownBy(() -> MetatypeReader.read(List.of(jar))).isInstanceOf(IOException.class)
                .hasMessageContaining("many.jar has more than 256 Metatype documents");
    }

    @Test
    void documentsWithinTheBoundsAreRead() throws IOException {
        Path jar = dir.resolve("fine.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new ZipEntry("OSGI-INF/metatype/greeter.xml"));
            out.write(OCD.getBytes(StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        assertThat(MetatypeReader.read(List.of(jar))).singleElement()
                .satisfies(schema -> assertThat(schema.pid()).isEqualTo("greeter"));
    }
}
