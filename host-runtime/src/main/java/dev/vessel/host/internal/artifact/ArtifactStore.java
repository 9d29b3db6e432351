package dev.vessel.host.internal.artifact;

import dev.vessel.protocol.ErrorCode;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Chunk sizes an upload may choose. */
    public static final int MIN_CHUNK_SIZE = 1024;
    public static final int MAX_CHUNK_SIZE = 64 << 20;

    /**
     * What the store accepts.
     *
     * @param maxArtifactBytes largest single artifact
     * @param chunkSize        how this node cuts the artifacts it is given whole
     * @param capacityBytes    complete and unfinished artifacts together may not pass this
     * @param maxUnfinished    how many artifacts may be assembled (uploaded or fetched) at once
     */
    public record Limits(long maxArtifactBytes, int chunkSize, long capacityBytes, int maxUnfinished) {
        public Limits {
            if (maxArtifactBytes < 1 || capacityBytes < maxArtifactBytes || maxUnfinished < 1) {
                throw new IllegalArgumentException("store limits must be positive and hold at least one artifact");
            }
            if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
                throw new IllegalArgumentException("chunkSize must be " + MIN_CHUNK_SIZE + "-" + MAX_CHUNK_SIZE
                        + " bytes; got " + chunkSize);
            }
        }
    }

    private final Path dir;
    private final Limits limits;
    private final Map<String, Partial> partials = new ConcurrentHashMap<>();
    private final List<String> repairs = new ArrayList<>();

    /** Opens the store; state a crash or a bad disk left damaged is logged and discarded, never fatal. */
    public ArtifactStore(Path dir, Limits limits) {
        this.dir = dir;
        this.limits = limits;
        try {
            Files.createDirectories(dir);
            repair();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use artifact store " + dir, e);
        }
    }

    private void repair() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(".part") || name.endsWith(".tmp")) {
                Files.deleteIfExists(file); // a whole-file upload or a write cut off by a crash: never visible
                continue;
            }
            if (!name.endsWith(".chunks")) {
                continue;
            }
            String sha256 = name.substring(0, name.length() - ".chunks".length());
            Path jar = dir.resolve(sha256 + ".jar");
            Path partial = dir.resolve(sha256 + ".partial");
            Optional<ChunkList> chunks = readChunks(file);
            long size = Files.isRegularFile(jar) ? Files.size(jar)
                    : Files.isRegularFile(partial) ? Files.size(partial) : -1;
            if (chunks.isPresent() && size >= 0 && fits(chunks.get(), size)) {
                continue;
            }
            repairs.add(sha256 + ": unreadable or inconsistent chunk list");
            LOG.warn("artifact store: {} has an unreadable or inconsistent chunk list; {}", sha256,
                    Files.isRegularFile(jar) ? "it is computed again from the artifact" : "the unfinished copy is discarded");
            Files.deleteIfExists(file);
            if (!Files.isRegularFile(jar)) {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(dir.resolve(sha256 + ".have"));
            }
        }
    }

    /** What {@link #ArtifactStore(Path, Limits) opening} found damaged and discarded, for logs and tests. */
    public List<String> repairs() {
        return List.copyOf(repairs);
    }

    private static Optional<ChunkList> readChunks(Path file) {
        try {
            return Optional.ofNullable(JSON.readValue(file.toFile(), ChunkList.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code chunks} cuts an artifact of {@code size} bytes: one digest per chunk, no more, no less. */
    static boolean fits(ChunkList chunks, long size) {
        return size > 0 && chunks.count() == (size + chunks.chunkSize() - 1) / chunks.chunkSize();
    }

    /** The outcome of a store operation. */
    public record Stored(String sha256, long size, boolean created) {}

    /** Why content was not stored; its code carries the HTTP status that says so. Nothing was left behind. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        private final ErrorCode code;

        Rejected(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    /**
     * Writing to the store's own disk failed (full, read-only, gone): the node's fault, never the fault of a peer
     * whose bytes were being written.
     */
    public static final class StoreWriteFailed extends IOException {
        private static final long serialVersionUID = 1L;

        StoreWriteFailed(String message, IOException cause) {
            super(message, cause);
        }
    }

    private static Rejected tooLarge(long limit) {
        return new Rejected(ErrorCode.TOO_LARGE, "artifact exceeds the limit of " + limit
                + " bytes; nothing was stored");
    }

    public boolean has(String sha256) {
        return Files.isRegularFile(path(sha256));
    }

    public Path path(String sha256) {
        return dir.resolve(RegistryLayout.requireSha256(sha256) + ".jar");
    }

    public long maxBytes() {
        return limits.maxArtifactBytes();
    }

    public int chunkSize() {
        return limits.chunkSize();
    }

    public Limits limits() {
        return limits;
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

    /** The chunk list of a complete artifact (computed again if what is on disk does not fit it). */
    public ChunkList chunks(String sha256) throws IOException {
        Path file = dir.resolve(RegistryLayout.requireSha256(sha256) + ".chunks");
        long size = Files.size(path(sha256));
        Optional<ChunkList> stored = Files.exists(file) ? readChunks(file) : Optional.empty();
        if (stored.isPresent() && fits(stored.get(), size)) {
            return stored.get();
        }
        ChunkList computed = ChunkList.compute(path(sha256), limits.chunkSize());
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
            return new Stored(expectedSha256, Files.size(path(expectedSha256)), false); // the body is not read
        }
        requireRoom(expectedSha256, 0);
        Path temp = Files.createTempFile(dir, expectedSha256, ".part");
        try {
            MessageDigest digest = Sha256.newDigest();
            long size;
            try (InputStream in = new DigestInputStream(content, digest);
                    OutputStream out = Files.newOutputStream(temp)) {
                size = copyAtMost(in, out, limits.maxArtifactBytes());
            }
            String actual = Sha256.hex(digest);
            if (!actual.equals(expectedSha256)) {
                throw new Rejected(ErrorCode.DIGEST_MISMATCH, "content has sha256 " + actual + ", not " + expectedSha256
                        + "; nothing was stored");
            }
            writeAtomically(dir.resolve(expectedSha256 + ".chunks"),
                    JSON.writeValueAsBytes(ChunkList.compute(temp, limits.chunkSize())));
            moveAtomically(temp, path(expectedSha256));
            return new Stored(expectedSha256, size, true);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The artifact being assembled under {@code sha256}, cut as {@code chunks}: opened (resuming what an earlier
     * run wrote, if it was cut the same way) or created.
     *
     * @throws Rejected {@code BAD_UPLOAD} (400) when size, chunk size and digests do not fit together,
     *                  {@code TOO_LARGE} (413), {@code UPLOAD_CONFLICT} (409) when the artifact is already being
     *                  assembled from other chunks that have begun to arrive, {@code TOO_MANY_UPLOADS} (429) or
     *                  {@code STORE_FULL} (507)
     */
    public Partial partial(String sha256, long size, ChunkList chunks) throws IOException, Rejected {
        RegistryLayout.requireSha256(sha256);
        if (size < 1) {
            throw new Rejected(ErrorCode.BAD_UPLOAD, "size must be at least 1 byte; got " + size);
        }
        if (size > limits.maxArtifactBytes()) {
            throw tooLarge(limits.maxArtifactBytes());
        }
        if (chunks == null || chunks.chunkSize() < MIN_CHUNK_SIZE || chunks.chunkSize() > MAX_CHUNK_SIZE) {
            throw new Rejected(ErrorCode.BAD_UPLOAD, "chunkSize must be " + MIN_CHUNK_SIZE + "-" + MAX_CHUNK_SIZE
                    + " bytes" + (chunks == null ? "" : "; got " + chunks.chunkSize()));
        }
        if (!fits(chunks, size)) {
            throw new Rejected(ErrorCode.BAD_UPLOAD, "an artifact of " + size + " bytes in chunks of "
                    + chunks.chunkSize() + " has " + (size + chunks.chunkSize() - 1) / chunks.chunkSize()
                    + " chunks; " + chunks.count() + " digests were given");
        }
        synchronized (partials) {
            Partial existing = partials.get(sha256);
            if (existing != null) {
                if (existing.size == size && existing.chunks.equals(chunks)) {
                    return existing;
                }
                if (existing.have().cardinality() > 0) {
                    throw new Rejected(ErrorCode.UPLOAD_CONFLICT, sha256 + " is already being assembled as "
                            + existing.size + " bytes in " + existing.chunks.count() + " chunks of "
                            + existing.chunks.chunkSize() + ", " + existing.have().cardinality()
                            + " of them verified; start it the same way to resume it");
                }
                partials.remove(sha256); // nothing verified yet: the newer start replaces it, nothing is lost
            } else {
                if (partials.size() >= limits.maxUnfinished()) {
                    throw new Rejected(ErrorCode.TOO_MANY_UPLOADS, "this node is already assembling "
                            + partials.size() + " artifacts, its limit; finish or abandon one first");
                }
                requireRoom(sha256, size);
            }
            Partial created;
            try {
                created = new Partial(sha256, size, chunks);
            } catch (IOException e) {
                delete(sha256);
                throw new StoreWriteFailed("could not begin " + sha256 + " under " + dir + ": " + e.getMessage(), e);
            }
            try {
                requireDisk(created);
            } catch (Rejected refused) {
                delete(sha256); // nothing of it stays behind, not even what an earlier run had fetched
                throw refused;
            }
            partials.put(sha256, created);
            return created;
        }
    }

    /** The artifact being assembled under {@code sha256} in this run, if any. */
    public Optional<Partial> existingPartial(String sha256) {
        return Optional.ofNullable(partials.get(sha256));
    }

    /** Refuses a new artifact of {@code size} bytes (0: not known yet) that would pass the store's capacity. */
    private void requireRoom(String sha256, long size) throws IOException, Rejected {
        long used = bytesUsed();
        long needed = size == 0 ? limits.maxArtifactBytes() : size;
        if (used + needed > limits.capacityBytes()) {
            throw new Rejected(ErrorCode.STORE_FULL, "storing " + sha256 + " (" + (size == 0 ? "up to " : "") + needed
                    + " bytes) would pass this node's artifact store capacity of " + limits.capacityBytes()
                    + " bytes (" + used + " in use); nothing was stored");
        }
    }

    /**
     * Refuses a partial whose missing chunks do not fit on the store's disk beside what the other unfinished
     * artifacts still have to write: the size is known before the first byte is fetched, so a release that does not
     * fit is refused at once instead of failing a write halfway.
     */
    private void requireDisk(Partial partial) throws IOException, Rejected {
        long needed = partial.unwritten();
        long promised = 0;
        for (Partial other : partials.values()) {
            promised += other == partial ? 0 : other.unwritten();
        }
        long free = Files.getFileStore(dir).getUsableSpace() - promised;
        if (needed > free) {
            throw new Rejected(ErrorCode.STORE_FULL, mib(needed) + " needed, " + mib(Math.max(0, free)) + " free under "
                    + dir + (promised > 0 ? " (after the " + mib(promised) + " that artifacts being fetched still need)"
                    : "") + "; nothing of " + partial.sha256 + " was kept");
        }
    }

    private static String mib(long bytes) {
        return bytes >= 10L << 20 ? (bytes >> 20) + " MiB"
                : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    /** Bytes held by complete and unfinished artifacts. */
    public long bytesUsed() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".jar") || name.endsWith(".partial")) {
                    try {
                        total += Files.size(file);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // removed or renamed meanwhile
                    }
                }
            }
            return total;
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
        partials.remove(sha256);
        for (String suffix : List.of(".jar", ".chunks", ".origin", ".partial", ".have")) {
            Files.deleteIfExists(dir.resolve(sha256 + suffix));
        }
    }

    /** Last time an artifact was written, for garbage collection. */
    public long lastModified(String sha256) throws IOException {
        Path file = has(sha256) ? path(sha256) : dir.resolve(sha256 + ".partial");
        return Files.getLastModifiedTime(file).toMillis();
    }

    /**
     * An artifact being assembled from verified chunks, written in any order by any number of threads. A chunk
     * streams into its place in the file while its digest is computed, and counts only once the digest matched;
     * a chunk already verified is never written again, and one chunk is written by one request at a time.
     * The file is opened per write, so an abandoned upload holds no open file.
     */
    public final class Partial {
        private final String sha256;
        private final long size;
        private final ChunkList chunks;
        private final Path file;
        private final Path haveFile;
        private final BitSet have;
        private final BitSet writing = new BitSet();

        private Partial(String sha256, long size, ChunkList chunks) throws IOException {
            this.sha256 = sha256;
            this.size = size;
            this.chunks = chunks;
            this.file = dir.resolve(sha256 + ".partial");
            this.haveFile = dir.resolve(sha256 + ".have");
            Path chunksFile = dir.resolve(sha256 + ".chunks");
            boolean sameCut = Files.exists(chunksFile) && readChunks(chunksFile).filter(chunks::equals).isPresent()
                    && Files.isRegularFile(file) && Files.size(file) == size;
            // resume only what was cut the same way; anything else starts over
            BitSet resumed = new BitSet();
            if (sameCut && Files.exists(haveFile)) {
                resumed = BitSet.valueOf(Files.readAllBytes(haveFile));
                if (resumed.length() > chunks.count()) {
                    resumed = new BitSet(); // not this artifact's: trust none of it
                }
            }
            this.have = resumed;
            if (!sameCut) {
                Files.deleteIfExists(haveFile);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    channel.write(ByteBuffer.allocate(1), size - 1); // full size, sparse
                }
                writeAtomically(chunksFile, JSON.writeValueAsBytes(chunks));
            }
        }

        public ChunkList chunks() {
            return chunks;
        }

        public long size() {
            return size;
        }

        /** Bytes of the chunks not written yet. */
        synchronized long unwritten() {
            long bytes = 0;
            for (int i = have.nextClearBit(0); i < chunks.count(); i = have.nextClearBit(i + 1)) {
                bytes += chunks.length(i, size);
            }
            return bytes;
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

        /** {@link #write(int, InputStream)} of bytes already in memory. */
        public boolean write(int index, byte[] bytes) throws IOException, Rejected {
            return write(index, new java.io.ByteArrayInputStream(bytes));
        }

        /**
         * Streams chunk {@code index} from {@code content} into place and verifies it against its digest. Reads
         * at most one byte more than the chunk's length.
         *
         * @return true if the chunk was written, false if it was already verified (then nothing is read or changed)
         * @throws Rejected {@code BAD_CHUNK} (400) for an index the artifact does not have, {@code CHUNK_BUSY}
         *                  (409) while another request writes the same chunk, {@code CHUNK_MISMATCH} (400) if the
         *                  bytes are not that chunk (it is not counted)
         */
        public boolean write(int index, InputStream content) throws IOException, Rejected {
            if (index < 0 || index >= chunks.count()) {
                throw new Rejected(ErrorCode.BAD_CHUNK, "chunk " + index + " does not exist; the artifact has "
                        + chunks.count() + " (0-" + (chunks.count() - 1) + ")");
            }
            synchronized (this) {
                if (have.get(index)) {
                    return false;
                }
                if (writing.get(index)) {
                    throw new Rejected(ErrorCode.CHUNK_BUSY, "chunk " + index + " of " + sha256
                            + " is being written by another request");
                }
                writing.set(index);
            }
            try {
                int length = chunks.length(index, size);
                MessageDigest digest = Sha256.newDigest();
                long written = 0;
                try (FileChannel channel = openForWriting(index)) {
                    byte[] buffer = new byte[(int) Math.min(64 * 1024, length + 1L)];
                    long position = chunks.offset(index);
                    for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
                        if (written + n > length) {
                            throw new Rejected(ErrorCode.CHUNK_MISMATCH, "chunk " + index + " of " + sha256
                                    + " is longer than its " + length + " bytes; it was thrown away");
                        }
                        digest.update(buffer, 0, n);
                        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                        try {
                            while (bytes.hasRemaining()) {
                                position += channel.write(bytes, position);
                            }
                        } catch (IOException e) {
                            throw writeFailed(index, e);
                        }
                        written += n;
                    }
                }
                if (written != length || !Sha256.hex(digest).equals(chunks.digests().get(index))) {
                    throw new Rejected(ErrorCode.CHUNK_MISMATCH, "chunk " + index + " of " + sha256
                            + " does not match its digest" + (written != length ? " (" + written + " of " + length
                                    + " bytes)" : "") + "; it was thrown away");
                }
                synchronized (this) {
                    BitSet withIt = (BitSet) have.clone();
                    withIt.set(index);
                    try {
                        writeAtomically(haveFile, withIt.toByteArray());
                    } catch (IOException e) {
                        throw writeFailed(index, e);
                    }
                    have.set(index);
                }
                return true;
            } finally {
                synchronized (this) {
                    writing.clear(index);
                }
            }
        }

        private FileChannel openForWriting(int index) throws StoreWriteFailed {
            try {
                return FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw writeFailed(index, e);
            }
        }

        private StoreWriteFailed writeFailed(int index, IOException e) {
            long free;
            try {
                free = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException unknown) {
                free = -1;
            }
            return new StoreWriteFailed("could not write chunk " + index + " of " + sha256 + " under " + dir + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString())
                    + (free < 0 ? "" : " (" + mib(free) + " free)"), e);
        }

        /**
         * Once every chunk is in: verifies the whole digest and renames the artifact into place. Finishing an
         * artifact that is already complete changes nothing.
         *
         * @throws Rejected {@code DIGEST_MISMATCH} if the chunks do not add up to the artifact (then all is discarded)
         */
        public synchronized Stored finish() throws IOException, Rejected {
            if (has(sha256)) {
                return new Stored(sha256, size, false);
            }
            if (!isComplete()) {
                throw new IllegalStateException(chunks.count() - have.cardinality() + " chunk(s) of " + sha256
                        + " are still missing");
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            String actual = Sha256.of(file);
            if (!actual.equals(sha256)) {
                delete(sha256);
                throw new Rejected(ErrorCode.DIGEST_MISMATCH, "assembled artifact has sha256 " + actual + ", not "
                        + sha256 + "; discarded");
            }
            moveAtomically(file, path(sha256));
            Files.deleteIfExists(haveFile);
            partials.remove(sha256);
            return new Stored(sha256, size, true);
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
                throw tooLarge(limit);
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
