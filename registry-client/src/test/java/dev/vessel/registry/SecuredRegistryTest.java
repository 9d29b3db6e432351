package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.Test;

/**
 * A secured registry: the nodes' identity writes, the reader identity reads and changes nothing, a stranger can
 * do neither.
 */
class SecuredRegistryTest {
    private static final String TOKEN = "secured-registry-token-0123";

    private static CuratorFramework as(TestingServer zk, RegistryCredentials credentials) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .retryPolicy(new RetryOneTime(100));
        if (credentials != null) {
            builder.authorization("digest", credentials.authInfo());
        }
        CuratorFramework client = builder.build();
        client.start();
        return client;
    }

    @Test
    void theNodesWriteTheReaderOnlyReadsAndAStrangerDoesNeither() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection nodes = RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                        Duration.ofSeconds(10), RegistryCredentials.forNodes(TOKEN));
                CuratorFramework reader = as(zk, RegistryCredentials.forReader(RegistryCredentials.readerSecret(TOKEN)));
                CuratorFramework stranger = as(zk, null);
                CuratorFramework wrongReader = as(zk, RegistryCredentials.forReader("not-the-reader-secret"));
                CuratorFramework wrongNodes = as(zk, RegistryCredentials.forNodes("another-token-0123456789"))) {
            nodes.curator().create().forPath("/vessel/deployments/greeter", "{\"revision\":1}".getBytes());
            assertThat(new String(reader.getData().forPath("/vessel/deployments/greeter"))).isEqualTo(
                    "{\"revision\":1}");
            assertThat(reader.getChildren().forPath("/vessel/deployments")).containsExactly("greeter");
            for (CuratorFramework refused : java.util.List.of(reader, stranger, wrongReader, wrongNodes)) {
                assertThatThrownBy(() -> refused.setData().forPath("/vessel/deployments/greeter", "{}".getBytes()))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> refused.create().forPath("/vessel/deployments/evil"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> refused.delete().forPath("/vessel/deployments/greeter"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            for (CuratorFramework blind : java.util.List.of(stranger, wrongReader, wrongNodes)) {
                assertThatThrownBy(() -> blind.getData().forPath("/vessel/deployments/greeter"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> blind.getChildren().forPath("/vessel"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            // nothing changed
            assertThat(new String(reader.getData().forPath("/vessel/deployments/greeter"))).isEqualTo(
                    "{\"revision\":1}");
            assertThat(reader.getChildren().forPath("/vessel/deployments")).containsExactly("greeter");
        }
    }

    @Test
    void aStrangerCannotWriteAnywhereElseInZooKeeperEither() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection nodes = RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                        Duration.ofSeconds(10), RegistryCredentials.forNodes(TOKEN));
                CuratorFramework reader = as(zk, RegistryCredentials.forReader(RegistryCredentials.readerSecret(TOKEN)));
                CuratorFramework stranger = as(zk, null)) {
            for (CuratorFramework refused : java.util.List.of(stranger, reader)) {
                // a persistent znode of up to 1 MB each, in the heap of every server, would otherwise be anyone's
                assertThatThrownBy(() -> refused.create().forPath("/anything", new byte[1024]))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> refused.create().forPath("/zookeeper/anything"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> refused.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath("/"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            assertThat(stranger.getChildren().forPath("/")).as("nothing was created").containsExactlyInAnyOrder(
                    "vessel", "zookeeper");
            // the cluster's nodes still create what they need beside their root
            nodes.curator().create().forPath("/vessel-second-root");
        }
    }

    @Test
    void aClientWithoutTheReaderSecretIsToldSoWhenItConnects() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection nodes = RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                        Duration.ofSeconds(10), RegistryCredentials.forNodes(TOKEN))) {
            assertThatThrownBy(() -> RegistryConnection.connect(zk.getConnectString()))
                    .isInstanceOf(RegistryAccessDeniedException.class)
                    .hasMessageContaining("is secured and this client gave no credential")
                    .hasMessageContaining("reader secret");
            assertThatThrownBy(() -> RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                    Duration.ofSeconds(10), RegistryCredentials.forReader("not-the-reader-secret")))
                    .isInstanceOf(RegistryAccessDeniedException.class)
                    .hasMessageContaining("refuses the vessel-reader credential it gave (wrong secret?)");
            assertThatThrownBy(() -> RegistryCredentials.forReader(" ")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reader secret cannot be empty");
            try (RegistryConnection reader = RegistryConnection.connect(zk.getConnectString(),
                    RegistryLayout.defaultLayout(), Duration.ofSeconds(10), RegistryCredentials.forReader(
                            RegistryCredentials.readerSecret(TOKEN)))) {
                assertThat(reader.curator().getChildren().forPath("/vessel")).contains("deployments", "nodes");
            }
        }
    }

    @Test
    void aReaderWatchesAServiceBeforeAnyNodeHasRegisteredIt() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection nodes = RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                        Duration.ofSeconds(10), RegistryCredentials.forNodes(TOKEN));
                RegistryConnection reader = RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                        Duration.ofSeconds(10), RegistryCredentials.forReader(RegistryCredentials.readerSecret(TOKEN)))) {
            java.util.concurrent.atomic.AtomicReference<java.util.List<InstanceRecord>> seen =
                    new java.util.concurrent.atomic.AtomicReference<>();
            // the watch would create the service's path, which a reader may not: it waits for the nodes to
            try (InstanceWatch watch = InstanceWatch.start(reader, "greeter", seen::set)) {
                assertThat(seen.get()).isEmpty();
                InstanceRegistry registry = new InstanceRegistry(nodes);
                registry.register(new InstanceRecord("n1.greeter-1.0.0", "greeter", "1.0.0", "n1", "greeter-1.0.0",
                        "z", InstanceState.ACTIVE, 100, "127.0.0.1", 7070));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().size() == 1);
                assertThat(watch.instances()).extracting(InstanceRecord::id).containsExactly("n1.greeter-1.0.0");
                registry.close();
            }
        }
    }

    @Test
    void aRootAStrangerLeftOpenIsClosedWhenTheNodesConnect() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                CuratorFramework stranger = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            stranger.start();
            stranger.create().creatingParentsIfNeeded().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath("/vessel/nodes");
            try (RegistryConnection nodes = RegistryConnection.connect(zk.getConnectString(),
                    RegistryLayout.defaultLayout(), Duration.ofSeconds(10), RegistryCredentials.forNodes(TOKEN))) {
                // ZooKeeper shows a digest's hash only to those who may administer the node
                assertThat(nodes.curator().getACL().forPath("/vessel/nodes"))
                        .containsExactlyInAnyOrderElementsOf(RegistryCredentials.forNodes(TOKEN).acl())
                        .extracting(acl -> acl.getId().getScheme() + " " + acl.getId().getId().split(":")[0] + " "
                                + acl.getPerms())
                        .containsExactlyInAnyOrder("digest vessel-node 31", "digest vessel-reader 1");
                assertThatThrownBy(() -> stranger.getChildren().forPath("/vessel/nodes"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> stranger.create().forPath("/vessel/nodes/fake"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
        }
    }
}
