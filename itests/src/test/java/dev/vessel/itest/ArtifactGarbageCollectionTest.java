package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.deploy.AdminClient;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.ArtifactHolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unreferenced artifacts go after the grace period; an artifact a release needs never goes, however old. */
class ArtifactGarbageCollectionTest {
    @TempDir
    Path data;

    @Test
    void onlyOldArtifactsThatNoReleaseReferencesAreRemoved() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            VesselNode node = cluster.addNode("node-1", config -> config.artifactGrace(Duration.ofMinutes(10)));
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            AdminClient admin = cluster.admin();
            String released = admin.upload(SampleReleases.bundle("greeter-1.0.0")).sha256();
            String orphanOld = admin.upload(SampleReleases.bundle("greeter-1.1.0")).sha256(); // never released
            String orphanYoung = admin.upload(SampleReleases.bundle("greeter-2.0.0")).sha256();
            Path store = data.resolve("node-1").resolve("artifacts");
            FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
            Files.setLastModifiedTime(store.resolve(released + ".jar"), longAgo);
            Files.setLastModifiedTime(store.resolve(orphanOld + ".jar"), longAgo);

            assertThat(node.collectGarbage()).containsExactly(orphanOld);

            assertThat(store.resolve(orphanOld + ".jar")).doesNotExist();
            assertThat(store.resolve(released + ".jar")).exists();
            assertThat(store.resolve(orphanYoung + ".jar")).exists();
            ArtifactHolders holders = new ArtifactHolders(cluster.registry(), "observer");
            assertThat(holders.holders(orphanOld)).isEmpty();
            assertThat(holders.holders(released)).containsExactly("node-1");
            assertThat(node.collectGarbage()).isEmpty();
            assertThat(List.of(released, orphanYoung)).allSatisfy(sha -> assertThat(holders.holders(sha)).isNotEmpty());
        }
    }
}
