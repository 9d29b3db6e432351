package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs of a recorded cluster whose ZooKeeper is gone: they say the registry is unavailable, with the node's
 * reason and exit code 4, instead of showing an empty cluster or waiting on a session of their own; once
 * ZooKeeper is back they work again.
 */
class RegistryOutageVerbsTest {
    private static final String TOKEN = "outage-verbs-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void withoutTheRegistryVerbsSayItIsUnavailableAndWorkAgainOnceItIsBack() throws Exception {
        int port = CliRunner.freePort();
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), port);
        String servers = zk.connectString();
        String previous = System.getProperty("vessel.home");
        System.setProperty("vessel.home", dir.resolve("home").toString());
        try (VesselNode node = VesselNode.start(NodeConfig.builder(zk.connectString(), dir.resolve("n1")).nodeId("n1")
                .port(0).adminToken(TOKEN).build())) {
            VesselHome.resolve().writeCluster(new VesselHome.ClusterInfo(zk.connectString(), "/vessel",
                    List.of(new VesselHome.NodeAddress("n1", node.url().toString())), ProcessHandle.current().pid(),
                    System.currentTimeMillis(), TOKEN, null, null, false));
            assertThat(CliRunner.run("status").exitCode()).isZero();

            zk.close();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                CliRunner status = CliRunner.run("status");
                assertThat(status.exitCode()).as(status.out() + status.err()).isEqualTo(ExitCode.UNAVAILABLE);
                assertThat(status.err()).contains("vessel status: registry unavailable: n1 has no ZooKeeper session"
                        + " (" + servers + " unreachable since");
                assertThat(status.out()).isEmpty();
            });
            CliRunner retire = CliRunner.run("retire", "greeter", "1.0.0");
            assertThat(retire.exitCode()).as(retire.err()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(retire.err()).contains("registry unavailable").contains("nothing was read or changed");

            zk = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), port);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                CliRunner status = CliRunner.run("status");
                assertThat(status.exitCode()).as(status.err()).isZero();
                assertThat(status.out()).contains("NODE");
            });
        } finally {
            zk.close();
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }
}
