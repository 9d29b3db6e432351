package dev.vessel.host.internal.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.ChunkList;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A node's content-addressed artifact store.
 *
 * <pre>
 * {sha256}.jar      a complete artifact, verified against its digest
 * {sha256}.chunks   its chunk list (size and digest of each chunk)
 * {sha256}.origin   marker: this node took the upload
 * {sha256}.partial  an artifact being assembled chunk by chunk (upload or peer fetch), full size, sparse
 * {sha256}.have     which chunks of the partial are written and verified — survives restarts, so a download
 *                   resumes where it stopped
 * </pre>
 *
 * A complete artifact only ever appears by an atomic rename after its whole digest checked out, so a
 * half-written or corrupt artifact is never visible under its name. Storing content that is there is a no-op.
 */
public final class ArtifactStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long maxBytes;
    private final int chunkSize;
    private final Map<String, Partial> partials = new ConcurrentHashMap<>();

    public ArtifactStore(Path dir, long maxBytes, int chunkSize) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.chunkSize = chunkSize;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> leftovers = Files.list(dir)) {
                for (Path temp : leftovers.filter(p -> p.getFileName().toString().endsWith(".part")
                        || p.getFileName().toString().endsWith(".tmp")).toList()) {
                    Files.deleteIfExists(temp); // a whole-file upload cut off by a crash: never visible, now gone
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use artifact store " + dir, e);
        }
    }

    /** The outcome of a store operation. */
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

    public int chunkSize() {
        return chunkSize;
    }

    /** Complete artifacts, by digest. */
    public List<String> list() {
        return listWithSuffix(".jar");
    }

    /** Artifacts being assembled, by digest. */
    public List<String> listPartial() {
        return listWithSuffix(".partial");
    }

    private List<String> listWithSuffix(String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    public boolean isOrigin(String sha256) {
        return Files.exists(dir.resolve(sha256 + ".origin"));
    }

    public void markOrigin(String sha256) throws IOException {
        Files.writeString(dir.resolve(RegistryLayout.requireSha256(sha256) + ".origin"), "");
    }

    /** The chunk list of a complete artifact. */
    public ChunkList chunks(String sha256) throws IOException {
        Path file = dir.resolve(sha256 + ".chunks");
        if (Files.exists(file)) {
            return JSON.readValue(file.toFile(), ChunkList.class);
        }
        ChunkList computed = ChunkList.compute(path(sha256), chunkSize);
        writeAtomically(file, JSON.writeValueAsBytes(computed));
        return computed;
    }

    /**
     * Streams a whole artifact into the store.
     *
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
            MessageDigest digest = Sha256.newDigest();
            long size;
            try (InputStream in = new DigestInputStream(content, digest);
                    OutputStream out = Files.newOutputStream(temp)) {
                size = copyAtMost(in, out, maxBytes);
            }
            String actual = Sha256.hex(digest);
            if (!actual.equals(expectedSha256)) {
                throw new Rejected("DIGEST_MISMATCH", "content has sha256 " + actual + ", not " + expectedSha256
                        + "; nothing was stored");
            }
            writeAtomically(dir.resolve(expectedSha256 + ".chunks"),
                    JSON.writeValueAsBytes(ChunkList.compute(temp, chunkSize)));
            moveAtomically(temp, path(expectedSha256));
            return new Stored(expectedSha256, size, true);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The artifact being assembled under {@code sha256}: opened (resuming what an earlier run wrote) or created.
     *
     * @throws Rejected {@code TOO_LARGE} past the size limit
     */
    public Partial partial(String sha256, long size, ChunkList chunks) throws IOException, Rejected {
        RegistryLayout.requireSha256(sha256);
        if (size > maxBytes) {
            throw new Rejected("TOO_LARGE", "artifact exceeds the limit of " + maxBytes + " bytes; nothing was stored");
        }
        try {
            return partials.computeIfAbsent(sha256, sha -> {
                try {
                    return new Partial(sha, size, chunks);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Reads {@code length} bytes at {@code offset} from a complete artifact, or from a partial one when every
     * byte lies in chunks it already holds; empty if this node cannot serve the range.
     */
    public Optional<FileChannel> openRange(String sha256, long offset, long length) throws IOException {
        if (has(sha256)) {
            return Optional.of(FileChannel.open(path(sha256), StandardOpenOption.READ));
        }
        Partial partial = partials.get(sha256);
        if (partial != null && partial.covers(offset, length)) {
            try {
                return Optional.of(FileChannel.open(partial.file, StandardOpenOption.READ));
            } catch (java.nio.file.NoSuchFileException completedMeanwhile) {
                return has(sha256) ? Optional.of(FileChannel.open(path(sha256), StandardOpenOption.READ))
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Size of a complete artifact, or of one being assembled. */
    public long size(String sha256) throws IOException {
        if (has(sha256)) {
            return Files.size(path(sha256));
        }
        Partial partial = partials.get(sha256);
        if (partial == null) {
            throw new IOException("not held: " + sha256);
        }
        return partial.size;
    }

    /** Deletes an artifact and everything kept about it. */
    public void delete(String sha256) throws IOException {
        Partial partial = partials.remove(sha256);
        if (partial != null) {
            partial.close();
        }
        for (String suffix : List.of(".jar", ".chunks", ".origin", ".partial", ".have")) {
            Files.deleteIfExists(dir.resolve(sha256 + suffix));
        }
    }

    /** Last time an artifact was written, for garbage collection. */
    public long lastModified(String sha256) throws IOException {
        Path file = has(sha256) ? path(sha256) : dir.resolve(sha256 + ".partial");
        return Files.getLastModifiedTime(file).toMillis();
    }

    /** An artifact being assembled from verified chunks, written in any order by any number of threads. */
    public final class Partial {
        private final String sha256;
        private final long size;
        private final ChunkList chunks;
        private final Path file;
        private final Path haveFile;
        private final FileChannel channel;
        private final BitSet have;

        private Partial(String sha256, long size, ChunkList chunks) throws IOException {
            this.sha256 = sha256;
            this.size = size;
            this.chunks = chunks;
            this.file = dir.resolve(sha256 + ".partial");
            this.haveFile = dir.resolve(sha256 + ".have");
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            Path chunksFile = dir.resolve(sha256 + ".chunks");
            boolean sameCut = Files.exists(chunksFile)
                    && JSON.readValue(chunksFile.toFile(), ChunkList.class).equals(chunks);
            // resume only what was cut the same way; anything else starts over
            this.have = sameCut && Files.exists(haveFile) ? BitSet.valueOf(Files.readAllBytes(haveFile)) : new BitSet();
            if (!sameCut) {
                writeAtomically(chunksFile, JSON.writeValueAsBytes(chunks));
            }
        }

        public ChunkList chunks() {
            return chunks;
        }

        public long size() {
            return size;
        }

        /** A copy of which chunks are written and verified. */
        public synchronized BitSet have() {
            return (BitSet) have.clone();
        }

        public synchronized boolean isComplete() {
            return have.cardinality() == chunks.count();
        }

        synchronized boolean covers(long offset, long length) {
            if (length <= 0 || offset < 0 || offset + length > size) {
                return false;
            }
            int first = (int) (offset / chunks.chunkSize());
            int last = (int) ((offset + length - 1) / chunks.chunkSize());
            return have.nextClearBit(first) > last;
        }

        /**
         * Verifies {@code bytes} against chunk {@code index}'s digest and writes it; a chunk that does not match
         * is thrown away.
         *
         * @throws Rejected {@code CHUNK_MISMATCH} if the bytes are not that chunk
         */
        public void write(int index, byte[] bytes) throws IOException, Rejected {
            if (index < 0 || index >= chunks.count()) {
                throw new Rejected("BAD_CHUNK", "chunk " + index + " does not exist; the artifact has "
                        + chunks.count());
            }
            String actual = Sha256.of(bytes);
            if (bytes.length != chunks.length(index, size) || !actual.equals(chunks.digests().get(index))) {
                throw new Rejected("CHUNK_MISMATCH", "chunk " + index + " of " + sha256 + " does not match its digest;"
                        + " it was thrown away");
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = chunks.offset(index);
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            synchronized (this) {
                have.set(index);
                writeAtomically(haveFile, have.toByteArray());
            }
        }

        /**
         * Once every chunk is in: verifies the whole digest and renames the artifact into place.
         *
         * @throws Rejected {@code DIGEST_MISMATCH} if the chunks do not add up to the artifact (then all is discarded)
         */
        public synchronized Stored finish() throws IOException, Rejected {
            if (!isComplete()) {
                throw new IllegalStateException(chunks.count() - have.cardinality() + " chunk(s) of " + sha256
                        + " are still missing");
            }
            channel.force(true);
            String actual = Sha256.of(file);
            if (!actual.equals(sha256)) {
                delete(sha256);
                throw new Rejected("DIGEST_MISMATCH", "assembled artifact has sha256 " + actual + ", not " + sha256
                        + "; discarded");
            }
            channel.close();
            moveAtomically(file, path(sha256));
            Files.deleteIfExists(haveFile);
            partials.remove(sha256);
            return new Stored(sha256, size, true);
        }

        private void close() throws IOException {
            channel.close();
        }

        /** Chunks still missing, lowest first. */
        public synchronized List<Integer> missing() {
            List<Integer> missing = new ArrayList<>();
            for (int i = have.nextClearBit(0); i < chunks.count(); i = have.nextClearBit(i + 1)) {
                missing.add(i);
            }
            return missing;
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


    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temp, bytes);
        moveAtomically(temp, target);
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

}
