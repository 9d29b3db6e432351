package dev.vessel.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.router.CallOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The kit as a user's suite uses it: a two-node cluster for the class, releases deployed, called, a node killed. */
@VesselTest(nodes = 2)
class VesselTestClusterTest {
    static Path release(String name) {
        return Path.of(System.getProperty("vessel.test.releases"), name + ".jar");
    }

    @Test
    void deploysTwoVersionsCallsThemByRangeAndRidesOutAKilledNode(VesselTestCluster cluster) {
        assertThat(cluster.deploy("greeter", release("greeter-1.0.0")).version()).isEqualTo("1.0.0");
        cluster.await().service("greeter").resolves("[1.0,2.0)", "1.0.0");
        assertThat(cluster.client().call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").text())
                .isEqualTo("Hello, Ada! (greeter 1.0.0)");

        cluster.deploy("greeter", release("greeter-1.1.0"));
        cluster.await().service("greeter").resolves("[1.0,2.0)", "1.1.0");
        cluster.await().service("greeter").resolves("[1.0,1.1)", "1.0.0");
        cluster.await().service("greeter").hasInstances("1.1.0", 2);
        // every node advertises its relay's port, so callers reach it through the relay
        assertThat(cluster.client().instances("greeter")).extracting(i -> i.port()).containsOnly(
                cluster.node(0).url().getPort(), cluster.node(1).url().getPort());

        cluster.node(0).kill();
        cluster.await().service("greeter").hasInstances("1.1.0", 1);
        for (int i = 0; i < 50; i++) {
            assertThat(cluster.client().call(CallOptions.idempotentCall(), "greeter", "[1.0,2.0)", "greeter",
                    "greet", "Ada").instanceId()).startsWith("node-2.");
        }
        cluster.node(0).restart();
        cluster.await().service("greeter").hasInstances("1.1.0", 2);
    }

    @Test
    void aRefusedReleaseSaysTheNodesReason(VesselTestCluster cluster) throws Exception {
        Path notAJar = Files.writeString(Files.createTempFile("not-a-jar", ".jar"), "not a jar");
        try {
            assertThatThrownBy(() -> cluster.deploy("broken", notAJar)).isInstanceOf(VesselTestException.class)
                    .hasMessageContaining("refused the release");
        } finally {
            Files.delete(notAJar);
        }
    }

    @Test
    void aWaitThatIsNotMetSaysWhatItSaw(VesselTestCluster cluster) {
        assertThatThrownBy(() -> cluster.await().within(java.time.Duration.ofMillis(200)).service("absent")
                .resolves("[1,2)", "1.0.0")).isInstanceOf(AssertionError.class)
                .hasMessage("after 200 ms: absent in [1,2) resolves to nothing, not 1.0.0; registered: []");
    }

    @Test
    void aNodeWhoseSessionExpiredAndAZooKeeperRestartLoseNoInstance(VesselTestCluster cluster) {
        cluster.deploy("steady", release("greeter-1.0.0"));
        cluster.await().service("steady").hasInstances("1.0.0", 2);

        cluster.zooKeeper().expireSession(cluster.node(1));
        cluster.await().service("steady").hasInstances("1.0.0", 2); // registered again on its new session
        cluster.zooKeeper().restart();
        cluster.await().service("steady").hasInstances("1.0.0", 2);
        assertThat(cluster.client().call(CallOptions.idempotentCall(), "steady", "[1.0,2.0)", "greeter", "greet",
                "Ada").text()).isEqualTo("Hello, Ada! (greeter 1.0.0)");
        cluster.await().until("the cluster's own registry session reconnected", cluster.registry()::connected);
    }
}
