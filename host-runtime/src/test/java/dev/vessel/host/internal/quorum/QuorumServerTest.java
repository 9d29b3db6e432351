package dev.vessel.host.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.internal.quorum.QuorumMember.Role;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real ZooKeeper quorum members in this process: a one-member quorum founded with dynamic reconfiguration, a
 * second member joining as an observer and promoted, with ZooKeeper's own {@code reconfig}, and a restart that
 * keeps the membership ZooKeeper last wrote.
 */
class QuorumServerTest {
    static final String SUPER_PASSWORD = QuorumMembership.superPassword(QuorumTesting.TOKEN);
    static final String SUPER_DIGEST = QuorumMembership.superDigest(SUPER_PASSWORD);
    static final String PEERS = QuorumMembership.peerPassword(QuorumTesting.TOKEN);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static QuorumMember member(long id, Role role) throws IOException {
        return new QuorumMember(id, "127.0.0.1", freePort(), freePort(), freePort(), role);
    }

    private ZooKeeperAdmin admin(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeperAdmin admin = new ZooKeeperAdmin(connect, 15_000, event -> {
            if (event.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        open.add(admin::close);
        assertThat(connected.await(30, TimeUnit.SECONDS)).as("connected to " + connect).isTrue();
        admin.addAuthInfo("digest", ("super:" + SUPER_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return admin;
    }

    private static EnsembleView config(ZooKeeper zk) throws Exception {
        return EnsembleView.parse(zk.getConfig(false, new Stat()));
    }

    @Test
    void aOneMemberQuorumGrowsByReconfigurationAndKeepsItsMembershipAcrossARestart() throws Exception {
        QuorumMember first = member(1, Role.PARTICIPANT);
        QuorumServer founder = QuorumServer.start(dir.resolve("1"), first, List.of(first), SUPER_DIGEST, PEERS);
        open.add(founder);
        ZooKeeperAdmin admin = admin(first.clientAddress());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.create("/before", "x".getBytes(),
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT) != null);
        assertThat(config(admin).voters()).containsOnlyKeys(1L);
        // `conf` would tell anyone on the client port the data directory and every setting: not served
        assertThat(org.apache.zookeeper.client.FourLetterWordMain.send4LetterWord("127.0.0.1", first.clientPort(),
                "conf", false, 5_000)).contains("not in the whitelist");
        assertThat(org.apache.zookeeper.client.FourLetterWordMain.send4LetterWord("127.0.0.1", first.clientPort(),
                "srvr", false, 5_000)).contains("Mode: ");

        // the second member starts with the ensemble and itself: not in the ensemble's configuration yet, it
        // follows without a vote until the reconfiguration makes it a voter
        QuorumMember second = member(2, Role.PARTICIPANT);
        QuorumServer joiner = QuorumServer.start(dir.resolve("2"), second, List.of(first, second), SUPER_DIGEST, PEERS);
        open.add(joiner);
        ZooKeeperAdmin viaSecond = admin(second.clientAddress());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> viaSecond.exists("/before", false) != null);
        EnsembleView before = config(admin);
        admin.reconfigure(List.of(second.line()), null, null, before.version(), new Stat());
        EnsembleView added = config(admin);
        assertThat(added.voters()).containsOnlyKeys(1L, 2L);
        assertThat(added.version()).isGreaterThan(before.version());

        // a third joins as an observer, and with two voters already it can be promoted
        QuorumMember third = member(3, Role.OBSERVER);
        QuorumServer observer = QuorumServer.start(dir.resolve("3"), third, List.of(first, second.as(Role.PARTICIPANT),
                third), SUPER_DIGEST, PEERS);
        open.add(observer);
        admin.reconfigure(List.of(third.line()), null, null, added.version(), new Stat());
        assertThat(config(admin).members().get(3L).role()).isEqualTo(Role.OBSERVER);
        ZooKeeperAdmin viaThird = admin(third.clientAddress());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> viaThird.exists("/before", false) != null);
        admin.reconfigure(List.of(third.as(Role.PARTICIPANT).line()), null, null, config(admin).version(), new Stat());
        assertThat(config(admin).voters()).containsOnlyKeys(1L, 2L, 3L);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.create("/three", "z".getBytes(),
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT) != null);

        // a change computed from an old version is refused, not applied over the newer one
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.reconfigure(null, List.of("2"), null,
                added.version(), new Stat())).isInstanceOf(org.apache.zookeeper.KeeperException.BadVersionException.class);
        assertThat(config(admin).voters()).containsOnlyKeys(1L, 2L, 3L);

        // a restart reads the membership ZooKeeper wrote, not the initial one
        joiner.close();
        open.remove(joiner);
        QuorumServer again = QuorumServer.start(dir.resolve("2"), second, List.of(), SUPER_DIGEST, PEERS);
        open.add(again);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.create("/after", "y".getBytes(),
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT) != null);
        assertThat(config(viaSecond).voters()).containsOnlyKeys(1L, 2L, 3L);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
