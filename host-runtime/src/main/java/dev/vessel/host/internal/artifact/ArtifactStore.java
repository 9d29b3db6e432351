package dev.vessel.host.internal.artifact;

import dev.vessel.registry.RegistryLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node's content-addressed artifact store: {@code <dir>/<sha256>.jar}. An artifact is written to a temporary
 * file while its digest and size are checked, then renamed into place atomically, so a half-written or corrupt
 * upload is never visible under its name. Storing content that is already there is a no-op.
 */
public final class ArtifactStore {
    private final Path dir;
    private final long maxBytes;

    public ArtifactStore(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> leftovers = Files.list(dir)) {
                for (Path temp : leftovers.filter(p -> p.getFileName().toString().endsWith(".part")).toList()) {
                    Files.deleteIfExists(temp); // an upload cut off by a crash: never visible, now gone
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use artifact store " + dir, e);
        }
    }

    /** The outcome of a {@link #put}. */
    public record Stored(String sha256, long size, boolean created) {}

    /** Why content was not stored. Nothing was left behind. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        private final String code;

        Rejected(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public boolean has(String sha256) {
        return Files.isRegularFile(path(sha256));
    }

    public Path path(String sha256) {
        return dir.resolve(RegistryLayout.requireSha256(sha256) + ".jar");
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Every artifact held, by digest. */
    public List<String> list() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jar"))
                    .map(n -> n.substring(0, n.length() - 4))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Streams {@code content} into the store.
     *
     * @param expectedSha256 the digest the sender claims; the content must match it
     * @throws Rejected {@code TOO_LARGE} past the size limit, {@code DIGEST_MISMATCH} if the content is not what
     *                  was claimed
     */
    public Stored put(String expectedSha256, InputStream content) throws Rejected, IOException {
        RegistryLayout.requireSha256(expectedSha256);
        if (has(expectedSha256)) {
            content.transferTo(OutputStream.nullOutputStream());
            return new Stored(expectedSha256, Files.size(path(expectedSha256)), false);
        }
        Path temp = Files.createTempFile(dir, expectedSha256, ".part");
        try {
            MessageDigest digest = sha256();
            long size;
            try (InputStream in = new DigestInputStream(content, digest);
                    OutputStream out = Files.newOutputStream(temp)) {
                size = copyAtMost(in, out, maxBytes);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expectedSha256)) {
                throw new Rejected("DIGEST_MISMATCH", "content has sha256 " + actual + ", not " + expectedSha256
                        + "; nothing was stored");
            }
            try {
                Files.move(temp, path(expectedSha256), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path(expectedSha256), StandardCopyOption.REPLACE_EXISTING);
            }
            return new Stored(expectedSha256, size, true);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException, Rejected {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
            if (total > limit) {
                throw new Rejected("TOO_LARGE", "artifact exceeds the limit of " + limit + " bytes; nothing was stored");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }

    /** The SHA-256 of a file, as lower-case hex. */
    public static String sha256Of(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
