package dev.vessel.registry;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A real ZooKeeper per test, with two independent sessions: the node's that writes, another that reads. */
abstract class RegistryTestBase {
    protected TestingServer zk;
    protected RegistryConnection node;
    protected RegistryConnection reader;

    @BeforeEach
    void startZooKeeperAndSessions() throws Exception {
        zk = new TestingServer(true);
        node = RegistryConnection.connect(zk.getConnectString());
        reader = RegistryConnection.connect(zk.getConnectString());
    }

    @AfterEach
    void stopZooKeeperAndSessions() throws Exception {
        reader.close();
        node.close();
        zk.close();
    }
}
