package dev.vessel.host.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vessel.host.testing.SmallFilesystem;
import dev.vessel.registry.ChunkList;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
    @TempDir
    Path dir;
    @TempDir
    Path scratch;

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Test
    void contentIsStoredUnderItsDigestAndStoringItAgainIsANoOp() throws Exception {
        ArtifactStore store = new ArtifactStore(dir, new ArtifactStore.Limits(1024, 1024, 1 << 20, 4));
        byte[] jar = "pretend this is a jar".getBytes();
        String sha = sha256(jar);
        ArtifactStore.Stored first = store.put(sha, new ByteArrayInputStream(jar));
        assertThat(first.created()).isTrue();
        assertThat(first.size()).isEqualTo(jar.length);
        assertThat(Files.readAllBytes(store.path(sha))).isEqualTo(jar);
        ArtifactStore.Stored again = store.put(sha, new ByteArrayInputStream(jar));
        assertThat(again.created()).isFalse();
        assertThat(store.list()).containsExactly(sha);
    }

    @Test
    void contentThatIsNotWhatWasClaimedOrTooLargeLeavesNothingBehind() throws Exception {
        ArtifactStore store = new ArtifactStore(dir, new ArtifactStore.Limits(16, 1024, 1 << 20, 4));
        byte[] jar = "0123456789".getBytes();
        String other = sha256("something else".getBytes());
        assertThatThrownBy(() -> store.put(other, new ByteArrayInputStream(jar)))
                .isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> assertThat(e.code().name())
                        .isEqualTo("DIGEST_MISMATCH"));
        byte[] big = new byte[17];
        assertThatThrownBy(() -> store.put(sha256(big), new ByteArrayInputStream(big)))
                .isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> assertThat(e.code().name()).isEqualTo("TOO_LARGE"));
        try (var files = Files.list(dir)) {
            assertThat(files).as("no artifact and no temporary file").isEmpty();
        }
    }

    @Test
    void anUploadCutOffByACrashIsNeverVisibleAndIsCleanedUpOnStart() throws Exception {
        byte[] jar = "complete".getBytes();
        String sha = sha256(jar);
        Files.write(dir.resolve(sha + "1234.part"), "compl".getBytes()); // what a crash mid-upload leaves
        ArtifactStore store = new ArtifactStore(dir, new ArtifactStore.Limits(1024, 1024, 1 << 20, 4));
        assertThat(store.has(sha)).isFalse();
        assertThat(store.list()).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void damagedStateIsDiscardedOrComputedAgainAtStartNeverFatal() throws Exception {
        byte[] jar = new byte[3000];
        new java.util.Random(7).nextBytes(jar);
        String sha = sha256(jar);
        ArtifactStore first = new ArtifactStore(dir, new ArtifactStore.Limits(1 << 20, 1024, 1 << 20, 4));
        first.put(sha, new ByteArrayInputStream(jar));
        byte[] half = new byte[2000];
        new java.util.Random(8).nextBytes(half);
        String partialSha = sha256(half);
        first.partial(partialSha, half.length, dev.vessel.registry.ChunkList.compute(write(half), 1024))
                .write(0, java.util.Arrays.copyOf(half, 1024));
        // what a bad disk, a crash or the old chunk-PUT bug leave: chunk lists that do not parse or do not fit
        Files.writeString(dir.resolve(sha + ".chunks"), "null");
        Files.writeString(dir.resolve(partialSha + ".chunks"), "{\"chunkSize\": 1024, \"digests\": [");

        ArtifactStore reopened = new ArtifactStore(dir, new ArtifactStore.Limits(1 << 20, 1024, 1 << 20, 4));
        assertThat(reopened.repairs()).hasSize(2);
        assertThat(reopened.has(sha)).isTrue();
        assertThat(reopened.chunks(sha).count()).as("computed again from the artifact").isEqualTo(3);
        assertThat(reopened.listPartial()).as("an unfinished copy that cannot be trusted is discarded").isEmpty();
        assertThat(Files.exists(dir.resolve(partialSha + ".have"))).isFalse();
    }

    @Test
    void unfinishedUploadsAndDiskUseAreCapped() throws Exception {
        ArtifactStore store = new ArtifactStore(dir, new ArtifactStore.Limits(4096, 1024, 8192, 2));
        byte[][] contents = new byte[3][];
        for (int i = 0; i < 3; i++) {
            contents[i] = new byte[3000];
            new java.util.Random(i).nextBytes(contents[i]);
        }
        store.partial(sha256(contents[0]), 3000, dev.vessel.registry.ChunkList.compute(write(contents[0]), 1024));
        store.partial(sha256(contents[1]), 3000, dev.vessel.registry.ChunkList.compute(write(contents[1]), 1024));
        assertThatThrownBy(() -> store.partial(sha256(contents[2]), 3000,
                dev.vessel.registry.ChunkList.compute(write(contents[2]), 1024)))
                .isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> {
                    assertThat(e.code().status()).isEqualTo(429);
                    assertThat(e.code().name()).isEqualTo("TOO_MANY_UPLOADS");
                });
        // two unfinished 3000-byte artifacts take 6000 of 8192 bytes: a whole upload of up to 4096 does not fit
        assertThatThrownBy(() -> store.put(sha256(contents[2]), new ByteArrayInputStream(contents[2])))
                .isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> {
                    assertThat(e.code().status()).isEqualTo(507);
                    assertThat(e.code().name()).isEqualTo("STORE_FULL");
                });
        assertThat(store.has(sha256(contents[2]))).isFalse();
    }

    @Test
    void aChunkAlreadyVerifiedIsNeverWrittenAgain() throws Exception {
        byte[] content = new byte[2048];
        new java.util.Random(3).nextBytes(content);
        ArtifactStore store = new ArtifactStore(dir, new ArtifactStore.Limits(4096, 1024, 1 << 20, 2));
        ArtifactStore.Partial partial = store.partial(sha256(content), 2048,
                dev.vessel.registry.ChunkList.compute(write(content), 1024));
        assertThat(partial.write(0, java.util.Arrays.copyOf(content, 1024))).isTrue();
        assertThat(partial.write(0, new byte[1024])).as("verified already: not read, not written").isFalse();
        assertThat(partial.write(1, java.util.Arrays.copyOfRange(content, 1024, 2048))).isTrue();
        assertThat(partial.finish().created()).isTrue();
        assertThat(Files.readAllBytes(store.path(sha256(content)))).isEqualTo(content);
    }

    private Path write(byte[] content) throws Exception {
        Path file = Files.createTempFile(scratch, "content", ".bin");
        Files.write(file, content);
        return file;
    }

    /**
     * On a real 4 MiB filesystem: an artifact whose size does not fit beside what the artifacts being fetched still
     * need is refused before a byte is written, naming what is needed and what is free, and leaves no file.
     */
    @Test
    void anArtifactThatDoesNotFitTheDiskIsRefusedBeforeAByteIsWritten() throws Exception {
        SmallFilesystem disk = SmallFilesystem.mount(scratch.resolve("disk"), 4);
        assumeTrue(disk != null, "mounting a tmpfs needs root");
        try (disk) {
            ArtifactStore store = new ArtifactStore(disk.path(), new ArtifactStore.Limits(64 << 20, 65536, 1L << 30, 4));
            byte[] big = new byte[8 << 20];
            assertThatThrownBy(() -> store.partial(sha256(big), big.length, ChunkList.compute(write(big), 65536)))
                    .isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> {
                        assertThat(e.code().name()).isEqualTo("STORE_FULL");
                        assertThat(e.getMessage()).contains("8.0 MiB needed, 4.0 MiB free under " + disk.path());
                    });
            try (var files = Files.list(disk.path())) {
                assertThat(files).as("nothing of it kept").isEmpty();
            }

            byte[] first = new byte[3 << 20];
            byte[] second = new byte[(2 << 20) + 1];
            store.partial(sha256(first), first.length, ChunkList.compute(write(first), 65536));
            assertThatThrownBy(() -> store.partial(sha256(second), second.length, ChunkList.compute(write(second),
                    65536))).isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> assertThat(e.getMessage())
                    .contains("after the 3.0 MiB that artifacts being fetched still need"));
        }
    }

    /** A chunk write that finds the disk full fails as the store's own failure, not as bad bytes from a sender. */
    @Test
    void aWriteThatFindsTheDiskFullIsTheStoresOwnFailure() throws Exception {
        SmallFilesystem disk = SmallFilesystem.mount(scratch.resolve("disk"), 4);
        assumeTrue(disk != null, "mounting a tmpfs needs root");
        try (disk) {
            ArtifactStore store = new ArtifactStore(disk.path(), new ArtifactStore.Limits(64 << 20, 65536, 1L << 30, 4));
            byte[] content = new byte[2 << 20];
            new java.util.Random(3).nextBytes(content);
            ChunkList chunks = ChunkList.compute(write(content), 65536);
            ArtifactStore.Partial partial = store.partial(sha256(content), content.length, chunks);
            disk.fill(16 << 10); // something else took the disk meanwhile
            assertThatThrownBy(() -> {
                for (int i = 0; i < chunks.count(); i++) {
                    partial.write(i, java.util.Arrays.copyOfRange(content, (int) chunks.offset(i),
                            (int) chunks.offset(i) + chunks.length(i, content.length)));
                }
            }).isInstanceOfSatisfying(ArtifactStore.StoreWriteFailed.class, e -> assertThat(e.getMessage())
                    .contains("under " + disk.path()).contains("free)"));
        }
    }
}
