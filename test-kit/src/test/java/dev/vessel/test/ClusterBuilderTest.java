package dev.vessel.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.host.ContainerInfo;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster built by hand: node settings, one more node, a given directory, a registry outage, no relays. */
class ClusterBuilderTest {
    @TempDir
    Path data;

    @Test
    void settingsReachEveryNodeAndAnAddedNodeHasItsOwnToo() {
        try (VesselTestCluster cluster = VesselTestCluster.builder().nodes(1).directory(data)
                .configure(node -> node.zone("zone-a")).start()) {
            TestNode edge = cluster.addNode("edge", node -> node.zone("zone-b"));
            assertThat(cluster.nodes()).extracting(TestNode::id).containsExactly("node-1", "edge");
            assertThat(cluster.node("edge")).isSameAs(edge);
            assertThatThrownBy(() -> cluster.addNode("edge", node -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has a node edge already");

            cluster.deploy("greeter", VesselTestClusterTest.release("greeter-1.0.0"));
            cluster.await().service("greeter").hasInstances("1.0.0", 2);
            assertThat(cluster.client().instances("greeter")).extracting(i -> i.node() + "@" + i.zone())
                    .containsExactlyInAnyOrder("node-1@zone-a", "edge@zone-b");
            // the data is where the test asked, and stays there
            assertThat(edge.dataDirectory()).isEqualTo(data.resolve("edge"));
            assertThat(Files.isDirectory(data.resolve("edge").resolve("artifacts"))).isTrue();
        }
        assertThat(Files.isDirectory(data.resolve("edge"))).isTrue();
    }

    @Test
    void anAnnotatedClusterHasAtLeastOneNodeAndABuiltOneAnyCount() {
        assertThatThrownBy(() -> VesselTestCluster.start(0, "none")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a test cluster needs at least 1 node; got 0");
        assertThatThrownBy(() -> VesselTestCluster.builder().nodes(-1))
                .hasMessage("a node count cannot be negative; got -1");
        try (VesselTestCluster empty = VesselTestCluster.builder().nodes(0).start()) {
            assertThat(empty.nodes()).isEmpty();
            assertThatThrownBy(() -> empty.deploy("greeter", VesselTestClusterTest.release("greeter-1.0.0")))
                    .isInstanceOf(VesselTestException.class).hasMessage("no node of the cluster is running");
        }
    }

    @Test
    void containersKeepServingThroughARegistryOutageAndAreRegisteredAfterIt() {
        try (VesselTestCluster cluster = VesselTestCluster.start(1, "outage")) {
            cluster.deploy("greeter", VesselTestClusterTest.release("greeter-1.0.0"));
            cluster.await().service("greeter").hasInstances("1.0.0", 1);

            cluster.zooKeeper().stop();
            assertThat(cluster.zooKeeper().running()).isFalse();
            // the client routes on the table it has; the node serves without its registry
            for (int i = 0; i < 20; i++) {
                assertThat(cluster.client().call("greeter", "[1.0,2.0)", "greeter", "version").text())
                        .isEqualTo("1.0.0");
            }
            cluster.zooKeeper().start();
            cluster.await().until("the instance registered again", () -> new ClusterReader(cluster.registry())
                    .instances("greeter").size() == 1);
            assertThat(cluster.node(0).vesselNode().containers()).extracting(ContainerInfo::state)
                    .containsExactly(InstanceState.ACTIVE);
        }
    }

    @Test
    void withoutRelaysANodeIsReachedDirectlyAndCannotBeFrozen() {
        try (VesselTestCluster cluster = VesselTestCluster.builder().nodes(1).withoutRelays().start()) {
            TestNode node = cluster.node(0);
            assertThat(node.url()).isEqualTo(node.vesselNode().url());
            assertThatThrownBy(node::freeze).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("built without them");

            cluster.deploy("greeter", VesselTestClusterTest.release("greeter-1.0.0"));
            node.kill();
            cluster.await().until("the killed node's instance gone", () -> new ClusterReader(cluster.registry())
                    .instances("greeter").isEmpty());
            node.restart();
            cluster.await().within(Duration.ofSeconds(60)).service("greeter").hasInstances("1.0.0", 1);
            assertThat(cluster.client().instances("greeter")).extracting(i -> i.port())
                    .containsExactly(node.vesselNode().port());
        }
    }

    @Test
    void nodesRunOnAZooKeeperTheTestRunsItself() throws Exception {
        try (TestingServer outside = new TestingServer(true);
                VesselTestCluster cluster = VesselTestCluster.builder().zooKeeper(outside.getConnectString()).nodes(1)
                        .start()) {
            assertThat(cluster.zkConnect()).isEqualTo(outside.getConnectString());
            assertThatThrownBy(cluster::zooKeeper).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the test's own ZooKeeper");
            assertThat(cluster.node(0).url()).as("no relay in front of it")
                    .isEqualTo(cluster.node(0).vesselNode().url());
            cluster.deploy("greeter", VesselTestClusterTest.release("greeter-1.0.0"));
            try (RegistryConnection session = RegistryConnection.connect(outside.getConnectString())) {
                assertThat(new ClusterReader(session).instances("greeter")).extracting(i -> i.node())
                        .containsExactly("node-1");
            }
        }
    }
}
