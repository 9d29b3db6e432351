package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.config;

import dev.vessel.registry.RegistryConnection;
import java.nio.file.Path;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real ZooKeeper, one node {@code n1} on a free loopback port, and a separate session to read the registry. */
abstract class SingleNodeTestBase {
    @TempDir
    Path data;

    protected TestingServer zk;
    protected VesselNode node;
    protected RegistryConnection reader;

    @BeforeEach
    void startNode() throws Exception {
        zk = new TestingServer(true);
        node = VesselNode.start(configure(config(zk.getConnectString(), data)).build());
        reader = RegistryConnection.connect(zk.getConnectString());
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
