package dev.vessel.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * How an artifact is cut for distribution: fixed-size chunks (the last one shorter), each with its SHA-256, so
 * every chunk can be verified on arrival from any peer.
 *
 * @param chunkSize bytes per chunk
 * @param digests   SHA-256 of each chunk, in order
 */
public record ChunkList(int chunkSize, List<String> digests) {
    public ChunkList {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be positive; got " + chunkSize);
        }
        digests = List.copyOf(digests);
        digests.forEach(RegistryLayout::requireSha256);
    }

    /** Cuts {@code file} into chunks of {@code chunkSize} bytes and digests each. */
    public static ChunkList compute(Path file, int chunkSize) throws IOException {
        List<String> digests = new ArrayList<>();
        byte[] buffer = new byte[chunkSize];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.readNBytes(buffer, 0, chunkSize); n > 0; n = in.readNBytes(buffer, 0, chunkSize)) {
                MessageDigest digest = Sha256.newDigest();
                digest.update(buffer, 0, n);
                digests.add(Sha256.hex(digest));
                if (n < chunkSize) {
                    break;
                }
            }
        }
        return new ChunkList(chunkSize, digests);
    }


    public int count() {
        return digests.size();
    }

    /** Offset of chunk {@code index} in the artifact. */
    public long offset(int index) {
        return (long) index * chunkSize;
    }

    /** Length of chunk {@code index} in an artifact of {@code size} bytes. */
    public int length(int index, long size) {
        return (int) Math.min(chunkSize, size - offset(index));
    }
}
