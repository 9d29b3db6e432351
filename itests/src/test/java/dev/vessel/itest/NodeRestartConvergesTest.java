package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.router.VesselClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that restarts converges from ZooKeeper and its local store: it runs exactly what the desired state asks
 * of it (nothing retired comes back), and it starts from the artifacts it already holds without fetching them.
 */
class NodeRestartConvergesTest {
    @TempDir
    Path data;

    @Test
    void aRestartedNodeRunsTheDesiredStateFromItsOwnStore() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 2);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            assertThat(cluster.deploy("greeter-1.1.0", 100, true).ok()).isTrue(); // 1.0.0 retired

            String sha = new ReleaseStore(cluster.registry()).get("greeter", "1.1.0").orElseThrow().bundles().get(0)
                    .sha256();
            Path stored = data.resolve("node-2").resolve("artifacts").resolve(sha + ".jar");
            FileTime fetchedAt = Files.getLastModifiedTime(stored);

            // both nodes go down: afterwards no other node could serve the artifact to node-2
            cluster.stop(cluster.nodes().get(1));
            cluster.stop(cluster.nodes().get(0));
            assertThat(new ArtifactHolders(cluster.registry(), "observer").holders(sha)).isEmpty();

            try (VesselNode restarted = cluster.startNode("node-2")) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(restarted.containers())
                        .filteredOn(c -> c.state() == InstanceState.ACTIVE)
                        .extracting(ContainerInfo::id).containsExactly("greeter-1.1.0"));
                assertThat(restarted.containers()).extracting(ContainerInfo::id).containsExactly("greeter-1.1.0");
                assertThat(Files.getLastModifiedTime(stored)).as("not downloaded again").isEqualTo(fetchedAt);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        client.call("greeter", "[1.0,2.0)", "greeter", "version").instanceId())
                        .isEqualTo("node-2.greeter-1.1.0"));
                assertThat(new ArtifactHolders(cluster.registry(), "observer").holders(sha)).containsExactly("node-2");
            }
        }
    }
}
