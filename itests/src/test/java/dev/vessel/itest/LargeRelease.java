package dev.vessel.itest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Test kit: a sample release made large — greeter 2.0.0 with a payload of random bytes added — so that it spans
 * many chunks. It is still a valid bundle that starts and answers.
 */
public final class LargeRelease {
    private LargeRelease() {}

    public static Path create(Path dir, int payloadBytes, long seed) throws IOException {
        return create(SampleReleases.bundle("greeter-2.0.0"), dir, payloadBytes, seed);
    }

    /** {@code base} with a payload of {@code payloadBytes} random bytes (from {@code seed}) added. */
    public static Path create(Path base, Path dir, int payloadBytes, long seed) throws IOException {
        Path target = dir.resolve("greeter-2.0.0-large.jar");
        try (JarFile source = new JarFile(base.toFile());
                OutputStream file = Files.newOutputStream(target);
                JarOutputStream out = new JarOutputStream(file, source.getManifest())) {
            for (Enumeration<JarEntry> entries = source.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME) || entry.getName().equals("META-INF/")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream in = source.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            byte[] payload = new byte[payloadBytes];
            new Random(seed).nextBytes(payload);
            JarEntry blob = new JarEntry("payload.bin");
            blob.setMethod(JarEntry.STORED);
            blob.setSize(payload.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(payload);
            blob.setCrc(crc.getValue());
            out.putNextEntry(blob);
            out.write(payload);
            out.closeEntry();
        }
        return target;
    }
}
