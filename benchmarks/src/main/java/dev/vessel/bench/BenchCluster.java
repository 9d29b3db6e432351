package dev.vessel.bench;

import dev.vessel.deploy.AdminClient;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.test.TestNode;
import dev.vessel.test.VesselTestCluster;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;

/**
 * The kit's cluster ({@link VesselTestCluster}) as the benchmarks need it: nodes reached directly (a relay would add
 * its own cost to every figure) and with a node's default drain delay, so that restarts cost what they cost in
 * production.
 */
final class BenchCluster implements Closeable {
    /** {@code NodeConfig}'s default, which the kit shortens for tests. */
    private static final Duration NODE_DRAIN_DELAY = Duration.ofMillis(250);

    private final VesselTestCluster cluster;
    final RegistryConnection registry;

    BenchCluster(int nodeCount) {
        cluster = VesselTestCluster.builder().name("benchmark").nodes(nodeCount).withoutRelays()
                .configure(config -> config.drainDelay(NODE_DRAIN_DELAY)).start();
        registry = cluster.registry();
    }

    /** The running nodes, in the order they started. */
    List<VesselNode> nodes() {
        return cluster.nodes().stream().filter(TestNode::running).map(TestNode::vesselNode).toList();
    }

    /** Stops node {@code index} the way an operator does and starts it again (on a new port); returns it. */
    VesselNode restart(int index) {
        TestNode node = cluster.node(index);
        node.stop();
        node.restart();
        return node.vesselNode();
    }

    String zkConnect() {
        return cluster.zkConnect();
    }

    AdminClient admin() {
        return cluster.admin();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
