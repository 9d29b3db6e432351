package dev.vessel.itest;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.VesselNode;
import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.test.VesselTestCluster;
import java.nio.file.Path;
import java.util.List;

/**
 * The sample releases the build copied to {@code target/bundles}, and a desired state that runs them on chosen nodes
 * (written straight to the registry, as a node's reconciler reads it). Clusters come from the kit
 * ({@link VesselTestCluster}, {@link DeployCluster}); nodes in processes of their own from {@link NodeProcess}.
 */
public final class SampleReleases {
    /** The admin token of every node of these suites: the kit's, which {@link DesiredState} uploads bundles with. */
    public static final String TOKEN = VesselTestCluster.TOKEN;

    private SampleReleases() {}

    public static Path bundle(String name) {
        return Path.of(System.getProperty("vessel.itest.bundles"), name + ".jar");
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
