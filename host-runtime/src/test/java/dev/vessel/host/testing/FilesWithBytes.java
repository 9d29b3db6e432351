package dev.vessel.host.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Test kit: where a file's bytes ended up, for tests of what a node copies and what it reads in place. */
public final class FilesWithBytes {
    private FilesWithBytes() {}

    /** Every regular file under {@code dir} whose content is exactly {@code content}. */
    public static List<Path> under(Path dir, byte[] content) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(file -> sameBytes(file, content)).toList();
        }
    }

    private static boolean sameBytes(Path file, byte[] content) {
        try {
            return Files.size(file) == content.length && Arrays.equals(Files.readAllBytes(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
