package dev.vessel.host.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Test
    void contentIsStoredUnderItsDigestAndStoringItAgainIsANoOp() throws Exception {
        ArtifactStore store = new ArtifactStore(dir, 1024, 1024);
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
        ArtifactStore store = new ArtifactStore(dir, 16, 1024);
        byte[] jar = "0123456789".getBytes();
        String other = sha256("something else".getBytes());
        assertThatThrownBy(() -> store.put(other, new ByteArrayInputStream(jar)))
                .isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> assertThat(e.code())
                        .isEqualTo("DIGEST_MISMATCH"));
        byte[] big = new byte[17];
        assertThatThrownBy(() -> store.put(sha256(big), new ByteArrayInputStream(big)))
                .isInstanceOfSatisfying(ArtifactStore.Rejected.class, e -> assertThat(e.code()).isEqualTo("TOO_LARGE"));
        try (var files = Files.list(dir)) {
            assertThat(files).as("no artifact and no temporary file").isEmpty();
        }
    }

    @Test
    void anUploadCutOffByACrashIsNeverVisibleAndIsCleanedUpOnStart() throws Exception {
        byte[] jar = "complete".getBytes();
        String sha = sha256(jar);
        Files.write(dir.resolve(sha + "1234.part"), "compl".getBytes()); // what a crash mid-upload leaves
        ArtifactStore store = new ArtifactStore(dir, 1024, 1024);
        assertThat(store.has(sha)).isFalse();
        assertThat(store.list()).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
