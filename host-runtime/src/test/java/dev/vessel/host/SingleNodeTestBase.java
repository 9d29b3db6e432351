package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.config;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.RegistryConnection;
import java.nio.file.Path;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ZooKeeper, one node {@code n1} on a free loopback port, a separate session to read the registry, and
 * {@link #deploy}/{@link #stop} that write the node's desired state through it.
 */
abstract class SingleNodeTestBase {
    @TempDir
    Path data;

    protected TestingServer zk;
    protected VesselNode node;
    protected RegistryConnection reader;
    protected DesiredState desired;

    @BeforeEach
    void startNode() throws Exception {
        zk = new TestingServer(true);
        NodeConfig settings = configure(config(zk.getConnectString(), data)).build();
        node = VesselNode.start(settings);
        reader = RegistryConnection.connect(zk.getConnectString());
        desired = new DesiredState(reader, settings.adminToken().orElseThrow());
    }

    /** Makes the node run {@code release} and waits until it is ACTIVE or FAILED. */
    protected ContainerInfo deploy(Release release) {
        return desired.deploy(node, release);
    }

    /** Takes a release off the node's desired state and waits until its container has stopped. */
    protected ContainerInfo stop(String service, String version) {
        return desired.stop(node, service, version);
    }

    /** The node's settings; a test class overrides this to change some. */
    protected NodeConfig.Builder configure(NodeConfig.Builder config) {
        return config;
    }

    @AfterEach
    void stopNode() throws Exception {
        reader.close();
        node.close();
        zk.close();
    }
}
