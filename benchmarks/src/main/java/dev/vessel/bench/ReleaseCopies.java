package dev.vessel.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Many versions of one sample release, for benchmarks that need many containers of one service. */
public final class ReleaseCopies {
    private ReleaseCopies() {}

    /** {@code jar dir version...}: writes one copy per version, for the shell benchmarks. */
    public static void main(String[] args) throws IOException {
        for (int i = 2; i < args.length; i++) {
            System.out.println(withVersion(Path.of(args[0]), Path.of(args[1]), args[i]));
        }
    }

    /** A copy of {@code jar} in {@code dir} whose manifest says {@code version}. */
    public static Path withVersion(Path jar, Path dir, String version) throws IOException {
        Files.createDirectories(dir);
        String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        Path copy = dir.resolve(name + "-" + version + ".jar");
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (OutputStream file = Files.newOutputStream(copy); JarOutputStream out = new JarOutputStream(file,
                    manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return copy;
    }
}
