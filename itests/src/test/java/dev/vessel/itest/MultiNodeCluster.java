package dev.vessel.itest;

import static org.awaitility.Awaitility.await;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.VesselNode;
import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Test kit: real nodes in this JVM against a real ZooKeeper, each on its own loopback port, running the sample
 * releases the build copied to {@code target/bundles}.
 */
public final class MultiNodeCluster {
    /** The admin token of every node made here: {@link DesiredState} uploads bundles with it. */
    public static final String TOKEN = "multi-node-cluster-token";

    private MultiNodeCluster() {}

    public static Path bundle(String name) {
        return Path.of(System.getProperty("vessel.itest.bundles"), name + ".jar");
    }

    public static VesselNode node(String zk, Path dataDir, String id) {
        return VesselNode.start(config(zk, dataDir, id));
    }

    /** A node on a registry session the test holds, so the test can expire or cut that session. */
    public static VesselNode node(RegistryConnection session, Path dataDir, String id) {
        return VesselNode.start(config("(shared session)", dataDir, id), session);
    }

    /**
     * A node that runs the named sample releases as its own (outside the registry's desired state), once each is
     * ACTIVE; fails unless each becomes so.
     */
    public static VesselNode nodeRunning(String zk, Path dataDir, String id, String... releases) {
        NodeConfig.Builder config = builder(zk, dataDir, id);
        for (String release : releases) {
            config.localRelease(release(release));
        }
        VesselNode node = VesselNode.start(config.build());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> node.containers().size() == releases.length
                    && node.containers().stream().allMatch(c -> c.state() != InstanceState.PENDING
                    && c.state() != InstanceState.FETCHING && c.state() != InstanceState.STARTING));
            for (ContainerInfo info : node.containers()) {
                if (info.state() != InstanceState.ACTIVE) {
                    throw new AssertionError(info.id() + " on " + id + " is " + info.state() + ": " + info.error());
                }
            }
            // a container is ACTIVE a moment before its instance record is written: wait for the records too
            try (RegistryConnection session = RegistryConnection.connect(zk)) {
                ClusterReader cluster = new ClusterReader(session);
                await().atMost(Duration.ofSeconds(30)).until(() -> node.containers().stream().allMatch(c -> cluster
                        .instances(c.service()).stream()
                        .anyMatch(i -> i.id().equals(id + "." + c.id()) && i.port() == node.port())));
            }
            return node;
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
    }

    private static NodeConfig config(String zk, Path dataDir, String id) {
        return builder(zk, dataDir, id).build();
    }

    private static NodeConfig.Builder builder(String zk, Path dataDir, String id) {
        return NodeConfig.builder(zk, dataDir.resolve(id)).nodeId(id).port(0).adminToken(TOKEN);
    }

    /** Desired state written through a session of its own to the registry at {@code zk}. */
    public static DesiredState desiredState(String zk) {
        return DesiredState.open(zk, TOKEN);
    }

    /** Desired state written through {@code session}. */
    public static DesiredState desiredState(RegistryConnection session) {
        return new DesiredState(session, TOKEN);
    }

    public static Release release(String name) {
        return ReleaseReader.read(List.of(bundle(name)));
    }

    /** Makes {@code node} run the named sample releases, failing the test unless each becomes ACTIVE. */
    public static void deploy(DesiredState desired, VesselNode node, String... releases) {
        for (String release : releases) {
            ContainerInfo info = desired.deploy(node, release(release));
            if (info.state() != InstanceState.ACTIVE) {
                throw new AssertionError(release + " on " + node.nodeId() + " is " + info.state() + ": "
                        + info.error());
            }
        }
    }
}
