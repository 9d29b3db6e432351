package dev.vessel.itest;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import java.nio.file.Path;
import java.util.List;

/**
 * Test kit: real nodes in this JVM against a real ZooKeeper, each on its own loopback port, running the sample
 * releases the build copied to {@code target/bundles}.
 */
public final class MultiNodeCluster {
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

    private static NodeConfig config(String zk, Path dataDir, String id) {
        return NodeConfig.builder(zk, dataDir.resolve(id)).nodeId(id).port(0).build();
    }

    /** Deploys the named sample releases, failing the test unless each becomes ACTIVE. */
    public static void deploy(VesselNode node, String... releases) {
        for (String release : releases) {
            ContainerInfo info = node.deploy(ReleaseReader.read(List.of(bundle(release))));
            if (info.state() != InstanceState.ACTIVE) {
                throw new AssertionError(release + " on " + node.nodeId() + " is " + info.state() + ": "
                        + info.error());
            }
        }
    }
}
