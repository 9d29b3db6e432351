package dev.vessel.itest;

import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.deploy.AdminClient;
import dev.vessel.registry.Convergence;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.RegistryConnection;
import java.io.Closeable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.curator.test.TestingServer;

/**
 * Test kit: a cluster driven through the deploy lifecycle — a real ZooKeeper, N nodes with an admin token, and a
 * {@link Rollout} that talks to the first node's admin API the way {@code vessel deploy} does.
 */
public final class DeployCluster implements Closeable {
    public static final String TOKEN = "itest-token-0123456789abcdef";

    private final TestingServer zk;
    private final List<VesselNode> nodes = new ArrayList<>();
    private final RegistryConnection registry;
    private final Path data;

    public DeployCluster(Path data, int nodeCount) throws Exception {
        this.data = data;
        zk = new TestingServer(true);
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(startNode("node-" + i));
        }
        registry = RegistryConnection.connect(zk.getConnectString());
    }

    /** A node this test manages itself (it is not closed with the cluster). */
    public VesselNode startNode(String id) {
        return startNode(id, config -> { });
    }

    /** Starts (and keeps for {@link #close()}) one more node, configured further by {@code customize}. */
    public VesselNode addNode(String id, Consumer<NodeConfig.Builder> customize) {
        VesselNode node = startNode(id, customize);
        nodes.add(node);
        return node;
    }

    private VesselNode startNode(String id, Consumer<NodeConfig.Builder> customize) {
        NodeConfig.Builder config = NodeConfig.builder(zk.getConnectString(), data.resolve(id)).nodeId(id).port(0)
                .adminToken(TOKEN).drainDelay(Duration.ofMillis(100));
        customize.accept(config);
        return VesselNode.start(config.build());
    }

    /** The ZooKeeper server, for tests that stop and restart it. */
    public TestingServer zk() {
        return zk;
    }

    public String zkConnect() {
        return zk.getConnectString();
    }

    public List<VesselNode> nodes() {
        return nodes;
    }

    public RegistryConnection registry() {
        return registry;
    }

    public AdminClient admin() {
        return new AdminClient(nodes.get(0).url(), TOKEN);
    }

    public Rollout rollout() {
        return new Rollout(admin(), registry, (phase, convergence) -> { });
    }

    public Rollout rollout(BiConsumer<String, Convergence> progress) {
        return new Rollout(admin(), registry, progress);
    }

    /** {@code vessel deploy <release>.jar [--weight W] [--replace]}, waiting up to a minute. */
    public Rollout.Result deploy(String release, int weight, boolean replace) throws InterruptedException {
        return rollout().deploy(new Rollout.Request(List.of(MultiNodeCluster.bundle(release)), null, weight, replace,
                DeployedVersion.ALL_NODES, false, true, false, Duration.ofSeconds(60), "itest"));
    }

    public Rollout.Result change(String action, String version, Long toRevision) throws InterruptedException {
        return rollout().change("greeter", new DeploymentChange(action, version, null, null, null, toRevision,
                "itest"), Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            for (VesselNode node : nodes) {
                node.close();
            }
            try {
                zk.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
