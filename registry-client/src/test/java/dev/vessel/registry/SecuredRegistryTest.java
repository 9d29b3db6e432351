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

/** A secured registry: the nodes' identity writes, anyone reads, a stranger changes nothing. */
class SecuredRegistryTest {
    private static final String TOKEN = "secured-registry-token-0123";

    @Test
    void onlyTheNodesIdentityWritesAndAStrangerIsRefusedWithNothingChanged() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection nodes = RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                        Duration.ofSeconds(10), RegistryCredentials.forNodes(TOKEN));
                CuratorFramework stranger = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            nodes.curator().create().forPath("/vessel/deployments/greeter", "{\"revision\":1}".getBytes());
            stranger.start();
            assertThat(new String(stranger.getData().forPath("/vessel/deployments/greeter"))).isEqualTo(
                    "{\"revision\":1}");
            assertThatThrownBy(() -> stranger.setData().forPath("/vessel/deployments/greeter", "{}".getBytes()))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.create().forPath("/vessel/deployments/evil"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.delete().forPath("/vessel/deployments/greeter"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThat(new String(stranger.getData().forPath("/vessel/deployments/greeter"))).isEqualTo(
                    "{\"revision\":1}");
            assertThat(stranger.checkExists().forPath("/vessel/deployments/evil")).isNull();
            // another identity (a wrong token) is a stranger too
            try (CuratorFramework wrong = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                    .retryPolicy(new RetryOneTime(100)).authorization("digest",
                            RegistryCredentials.forNodes("another-token-0123456789").authInfo()).build()) {
                wrong.start();
                assertThatThrownBy(() -> wrong.setData().forPath("/vessel/deployments/greeter", "{}".getBytes()))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
        }
    }

    @Test
    void aReaderWatchesAServiceBeforeAnyNodeHasRegisteredIt() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection nodes = RegistryConnection.connect(zk.getConnectString(), RegistryLayout.defaultLayout(),
                        Duration.ofSeconds(10), RegistryCredentials.forNodes(TOKEN));
                RegistryConnection reader = RegistryConnection.connect(zk.getConnectString())) {
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
                        .containsExactlyInAnyOrderElementsOf(RegistryCredentials.forNodes(TOKEN).acl());
                assertThat(stranger.getACL().forPath("/vessel/nodes")).extracting(acl -> acl.getId().getScheme() + " "
                        + acl.getId().getId().split(":")[0] + " " + acl.getPerms())
                        .containsExactlyInAnyOrder("digest vessel-node 31", "world anyone 1");
                assertThatThrownBy(() -> stranger.create().forPath("/vessel/nodes/fake"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
        }
    }
}
