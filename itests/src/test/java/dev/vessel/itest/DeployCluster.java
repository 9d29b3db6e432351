package dev.vessel.itest;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.test.TestNode;
import dev.vessel.test.TestZooKeeper;
import dev.vessel.test.VesselTestCluster;
import java.io.Closeable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The kit's cluster ({@link VesselTestCluster}, nodes reached directly) with what these suites add: data under the
 * test's directory (tests read a node's artifact store there), the sample releases deployed by name, and a
 * {@link Rollout} that talks to the first node's admin API the way {@code vessel deploy} does.
 */
public final class DeployCluster implements Closeable {
    public static final String TOKEN = VesselTestCluster.TOKEN;

    private final VesselTestCluster cluster;

    public DeployCluster(Path data, int nodeCount) {
        cluster = VesselTestCluster.builder().directory(data).nodes(nodeCount).withoutRelays().start();
    }

    /** Starts node {@code id}, or starts it again if the cluster has it and it was stopped. */
    public VesselNode startNode(String id) {
        TestNode existing = cluster.nodes().stream().filter(node -> node.id().equals(id)).findFirst().orElse(null);
        if (existing == null) {
            return addNode(id, config -> { });
        }
        existing.restart();
        return existing.vesselNode();
    }

    /** Starts one more node, configured further by {@code customize}. */
    public VesselNode addNode(String id, Consumer<NodeConfig.Builder> customize) {
        return cluster.addNode(id, customize).vesselNode();
    }

    /**
     * Stops {@code node} the way an operator does (it drains and leaves, its registry session ends), so that it can
     * be started again by {@link #startNode}.
     */
    public void stop(VesselNode node) {
        cluster.nodes().stream().filter(each -> each.vesselNode() == node).findFirst().orElseThrow(() ->
                new IllegalArgumentException(node.nodeId() + " is not a running node of this cluster")).stop();
    }

    /** The ZooKeeper server, for tests that stop and restart it. */
    public TestZooKeeper zk() {
        return cluster.zooKeeper();
    }

    public String zkConnect() {
        return cluster.zkConnect();
    }

    /** Every node's {@link VesselNode}, in the order they started (null for one that is stopped). */
    public List<VesselNode> nodes() {
        return cluster.nodes().stream().map(TestNode::vesselNode).toList();
    }

    public RegistryConnection registry() {
        return cluster.registry();
    }

    public AdminClient admin() {
        return cluster.admin();
    }

    public Rollout rollout() {
        return rollout((phase, convergence) -> { });
    }

    public Rollout rollout(BiConsumer<String, Convergence> progress) {
        return new Rollout(admin(), registry(), progress);
    }

    /** {@code vessel deploy <release>.jar [--weight W] [--replace]}, waiting up to a minute. */
    public Rollout.Result deploy(String release, int weight, boolean replace) throws InterruptedException {
        return rollout().deploy(new Rollout.Request(List.of(SampleReleases.bundle(release)), null, weight, replace,
                DeployedVersion.ALL_NODES, false, true, false, Duration.ofSeconds(60), "itest"));
    }

    public Rollout.Result change(String action, String version, Long toRevision) throws InterruptedException {
        return rollout().change("greeter", new DeploymentChange(action, version, null, null, null, toRevision,
                "itest"), Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        cluster.close();
    }
}
