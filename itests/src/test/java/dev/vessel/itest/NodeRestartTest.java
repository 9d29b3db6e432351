package dev.vessel.itest;

import static dev.vessel.itest.SampleReleases.deploy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.router.VesselClient;
import dev.vessel.test.VesselTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with SIGKILL leaves its ephemeral records until its session expires. The same node started again
 * (same id, new session, new port) must take them over at once, and keep them when the dead session expires.
 */
class NodeRestartTest {
    private static final String INSTANCE = "/vessel/services/greeter/n1.greeter-1.0.0";

    @TempDir
    Path data;

    private VesselTestCluster cluster;
    private Process crashed;

    @BeforeEach
    void start() {
        cluster = VesselTestCluster.builder().directory(data).nodes(0).withoutRelays().start();
    }

    @AfterEach
    void stop() {
        if (crashed != null) {
            crashed.destroyForcibly();
        }
        cluster.close();
    }

    @Test
    void aRestartedNodeTakesOverTheRecordsOfItsKilledPredecessor() throws Exception {
        NodeProcess.Launched launched = NodeProcess.launch(cluster.zkConnect(), data.resolve("before"), "n1",
                "greeter-1.0.0");
        crashed = launched.process();
        int oldPort = launched.port();

        try (RegistryConnection observer = RegistryConnection.connect(cluster.zkConnect())) {
            ClusterReader view = new ClusterReader(observer);
            long deadSession = sessionOwning(observer, INSTANCE);
            crashed.destroyForcibly(); // SIGKILL: nothing of the old process runs, its session lingers
            assertThat(crashed.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(view.instances("greeter")).extracting(InstanceRecord::port).containsExactly(oldPort);

            try (DesiredState desired = SampleReleases.desiredState(cluster.zkConnect());
                    VesselClient client = VesselClient.connect(cluster.zkConnect())) {
                VesselNode restarted = cluster.addNode("n1", config -> { }).vesselNode(); // its own data
                deploy(desired, restarted, "greeter-1.0.0");
                long newSession = sessionOwning(observer, INSTANCE);
                assertThat(newSession).isNotEqualTo(deadSession);
                assertThat(view.instances("greeter")).extracting(InstanceRecord::port)
                        .containsExactly(restarted.port());

                // the killed process's session expires (session timeout 15 s); nothing of the new node may go
                await().atMost(Duration.ofSeconds(60)).until(() -> !sessionStillHolds(observer, deadSession));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(view.nodes()).singleElement().extracting(NodeRecord::port).isEqualTo(restarted.port());
                    assertThat(view.status("n1")).isPresent();
                });
                assertThat(view.instances("greeter")).extracting(InstanceRecord::port)
                        .containsExactly(restarted.port());
                assertThat(sessionOwning(observer, INSTANCE)).isEqualTo(newSession);
                assertThat(client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").text())
                        .isEqualTo("Hello, Ada! (greeter 1.0.0)");
            }
        }
    }

    /**
     * The session that owns {@code path}, once it exists: a node taking over a record of its killed predecessor
     * deletes it and creates it again, and a read in between finds nothing.
     */
    private static long sessionOwning(RegistryConnection observer, String path) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> observer.curator().checkExists().forPath(path),
                java.util.Objects::nonNull).getEphemeralOwner();
    }

    /** Whether any record still belongs to the dead session (the node record is the last thing it held). */
    private static boolean sessionStillHolds(RegistryConnection observer, long session) throws Exception {
        for (String path : new String[] {"/vessel/nodes/n1", "/vessel/status/n1", INSTANCE}) {
            var stat = observer.curator().checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == session) {
                return true;
            }
        }
        return false;
    }
}
