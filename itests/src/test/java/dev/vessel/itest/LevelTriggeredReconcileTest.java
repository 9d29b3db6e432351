package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.cli.Main;
import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.ContainerInfo;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodeStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that could not fetch a release because its only holder was down catches up by itself once the holder is
 * back: the periodic pass retries with backoff, without anyone deploying again, and status says why it is behind.
 */
class LevelTriggeredReconcileTest {
    @TempDir
    Path data;

    @Test
    void aZooKeeperOutageNeitherStopsNorStartsAnything() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            VesselNode node = cluster.addNode("node-1", config -> config.resyncInterval(Duration.ofMillis(200)));
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            List<ContainerInfo> started = node.containers();
            assertThat(started).extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE);
            List<String> before = lives(started);

            cluster.zk().stop();
            // many resync intervals pass without ZooKeeper: the container keeps running, untouched
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> lives(node.containers()).equals(before));
            cluster.zk().restart();
            ClusterReader reader = new ClusterReader(cluster.registry());
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> reader.instances("greeter").size() == 1);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> lives(node.containers()).equals(before)); // same containers, never restarted
        }
    }

    /**
     * Which containers run, in which state and since when: what a restart would change (their CPU and heap
     * counters change as they serve, and say nothing about that).
     */
    private static List<String> lives(List<ContainerInfo> containers) {
        return containers.stream().map(c -> c.id() + " " + c.state() + " since " + c.since()).toList();
    }

    @Test
    void aFetchThatFailedWhileTheOnlyHolderWasDownIsRetriedUntilItSucceeds() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            VesselNode origin = cluster.startNode("node-1");
            VesselNode behind = cluster.addNode("node-2", config -> config.fetchStallTimeout(Duration.ofSeconds(1))
                    .resyncInterval(Duration.ofMillis(500)));
            Rollout.Result first = new Rollout(new AdminClient(origin.url(), DeployCluster.TOKEN), cluster.registry(),
                    (phase, convergence) -> { }).deploy(new Rollout.Request(
                            List.of(SampleReleases.bundle("greeter-1.0.0")), null, 100, false, "node-1", false, true,
                            false, Duration.ofSeconds(60), "itest"));
            assertThat(first.ok()).isTrue();
            cluster.stop(origin); // the only holder of the release's jar is gone

            // the deployment now asks node-2 to run it too; node-2 cannot fetch it and says so
            new AdminClient(behind.url(), DeployCluster.TOKEN).change("greeter", new DeploymentChange("deploy",
                    "1.0.0", 100, DeployedVersion.ALL_NODES, null, null, "itest"));
            long revision = new DeploymentStore(cluster.registry()).read("greeter").revision();
            ClusterReader reader = new ClusterReader(cluster.registry());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(reader.status("node-2")
                    .map(NodeStatus::behind).orElse(List.of())).singleElement().satisfies(b -> {
                        assertThat(b.service()).isEqualTo("greeter");
                        assertThat(b.revision()).isEqualTo(revision);
                        assertThat(b.attempts()).isGreaterThanOrEqualTo(1);
                        assertThat(b.lastError()).contains("greeter-1.0.0 FAILED");
                    }));
            assertThat(behind.containers()).extracting(ContainerInfo::state).contains(InstanceState.FAILED);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "status", "--zk",
                    cluster.zkConnect());
            assertThat(code).as(err.toString()).isZero();
            assertThat(out.toString().lines().filter(line -> line.startsWith("node node-2 is behind on greeter")))
                    .singleElement().asString()
                    .contains("(revision " + revision + "): ", "greeter-1.0.0 FAILED", "attempt(s), next retry in ");

            // the holder comes back; nobody deploys again, and node-2 converges
            VesselNode returned = cluster.startNode("node-1");
            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(behind.containers())
                    .filteredOn(c -> c.state() == InstanceState.ACTIVE).extracting(ContainerInfo::id)
                    .containsExactly("greeter-1.0.0"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(reader.status("node-2")
                    .map(NodeStatus::behind).orElse(List.of())).isEmpty());
            assertThat(new DeploymentStore(cluster.registry()).read("greeter").revision()).isEqualTo(revision);
            assertThat(returned.containers()).extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE);
        }
    }
}
