package dev.vessel.host.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members founded and joined the way nodes do it, with the quorum manager making every change: a quorum grows from
 * one voter to three, a fourth member becomes an observer, a voter that goes away is removed after the threshold
 * and replaced by the observer, it comes back with its data and rejoins as an observer; in a five-voter quorum two
 * members go at once, are removed and come back as voters; and the registry's data is the same after every change.
 */
class QuorumMembershipTest {
    private static final QuorumMembership.Settings JOIN = settings(false);

    @TempDir
    Path dir;

    private final List<QuorumMembership> members = new ArrayList<>();
    private CuratorFramework reader;

    @AfterEach
    void stop() {
        if (reader != null) {
            reader.close();
        }
        for (int i = members.size() - 1; i >= 0; i--) {
            members.get(i).close();
        }
    }

    private static QuorumMembership.Settings settings(boolean found) {
        try {
            return new QuorumMembership.Settings(found, freePort(), freePort(), freePort(), 3, Duration.ofSeconds(2),
                    Duration.ofSeconds(4));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private QuorumMembership start(String name, QuorumMembership.Settings settings, String known, String zone) {
        QuorumMembership member = QuorumMembership.start(settings, dir.resolve(name), known, "127.0.0.1",
                QuorumTesting.TOKEN, "/vessel");
        members.add(member);
        member.join(name, zone);
        return member;
    }

    private EnsembleView config() throws Exception {
        return EnsembleView.parse(reader.getConfig().forEnsemble());
    }

    private Map<String, String> tree(String path) throws Exception {
        Map<String, String> all = new TreeMap<>();
        for (String child : reader.getChildren().forPath(path)) {
            String full = path + "/" + child;
            byte[] data = reader.getData().forPath(full);
            all.put(full, data == null ? "" : new String(data, StandardCharsets.UTF_8));
            all.putAll(tree(full));
        }
        return all;
    }

    @Test
    void growsFromOneVoterToThreeThenReplacesAVoterThatGoesAway() throws Exception {
        QuorumMembership first = start("n1", settings(true), null, "a");
        reader = QuorumTesting.reader(first.connectString());
        reader.blockUntilConnected();
        for (int i = 0; i < 20; i++) {
            reader.create().creatingParentsIfNeeded().forPath("/data/record-" + i, ("value " + i).getBytes());
        }
        Map<String, String> before = tree("/data");

        QuorumMembership second = start("n2", JOIN, first.connectString(), "b");
        QuorumMembership third = start("n3", settings(false), first.connectString(), "c");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> config().voters().keySet().equals(java.util.Set.of(1L, second.self().id(),
                        third.self().id())));
        assertThat(tree("/data")).isEqualTo(before);

        QuorumMembership fourth = start("n4", settings(false), first.connectString(), "a");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> config().members()
                .get(fourth.self().id()).role() == QuorumMember.Role.OBSERVER);
        assertThat(config().voters()).hasSize(3);

        // a voter goes away: removed after the threshold, and the observer takes its vote
        long gone = third.self().id();
        third.close();
        members.remove(third);
        // while it is unreachable, before its removal: named, and reported as on its way out, not as matching
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            dev.vessel.host.QuorumStatus status = dev.vessel.host.QuorumStatus.read(reader, "/vessel");
            assertThat(status.members()).filteredOn(m -> m.id() == gone).singleElement()
                    .satisfies(m -> assertThat(m.mode()).isEqualTo("unreachable"))
                    .satisfies(m -> assertThat(m.node()).isEqualTo("n3"));
            assertThat(status.manager().state()).doesNotContain("matches")
                    .contains("server(s) [" + gone + "] unreachable");
            assertThat(status.manager().pending()).anySatisfy(p -> assertThat(p.progress())
                    .startsWith("remove server " + gone + " (node n3): unreachable ").contains("unless it answers"));
        });
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !config().members().containsKey(gone)
                && config().voters().containsKey(fourth.self().id()) && config().voters().size() == 3);
        assertThat(tree("/data")).isEqualTo(before);

        // the removed member comes back with its old data and membership: it asks to join again, and with the
        // voters complete it becomes an observer that serves the same data
        QuorumMembership back = start("n3", settings(false), first.connectString(), "c");
        assertThat(back.self().id()).as("restarted from its own directory, same server id").isEqualTo(gone);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> config().members().containsKey(gone)
                && config().members().get(gone).role() == QuorumMember.Role.OBSERVER);
        try (CuratorFramework viaBack = CuratorFrameworkFactory.newClient(back.self().clientAddress(),
                new RetryOneTime(200))) {
            viaBack.start();
            viaBack.blockUntilConnected();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                viaBack.sync().forPath("/data");
                return viaBack.getChildren().forPath("/data").size() == before.size();
            });
        }
        List<String> changes = new ArrayList<>();
        for (String entry : reader.getChildren().forPath("/vessel/quorum/history")) {
            changes.add(new String(reader.getData().forPath("/vessel/quorum/history/" + entry), StandardCharsets.UTF_8)
                    .replaceAll(".*\"change\":\"([a-z-]+)\".*", "$1"));
        }
        // members join one at a time, so which of them first came in as an observer depends on timing; the
        // removal happens once, and every change is one the planner names
        assertThat(changes).containsOnly("add-voter", "add-observer", "promote", "remove").hasSizeBetween(6, 8)
                .containsOnlyOnce("remove");
    }

    @Test
    void joiningAStandaloneZooKeeperSaysItIsNotAQuorumTheNodesRunAndHowToFoundOne() throws Exception {
        try (dev.vessel.host.EmbeddedZooKeeper standalone = dev.vessel.host.EmbeddedZooKeeper.start(
                dir.resolve("standalone"), freePort())) {
            assertThatThrownBy(() -> QuorumMembership.start(JOIN, dir.resolve("joiner"), standalone.connectString(),
                    "127.0.0.1", QuorumTesting.TOKEN, "/vessel"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("the ZooKeeper at " + standalone.connectString()
                            + " is not a quorum the Vessel nodes run with this token: it has no ensemble configuration")
                    .hasMessageContaining("vessel node --found-quorum")
                    .hasMessageContaining("without --quorum");
        }
        assertThat(dir.resolve("joiner").resolve("zoo.cfg")).doesNotExist();
    }

    @Test
    void joiningAQuorumFoundedWithAnotherTokenSaysSo() {
        QuorumMembership founder = start("t1", settings(true), null, "a");
        String member = founder.self().clientAddress();
        assertThatThrownBy(() -> QuorumMembership.start(JOIN, dir.resolve("stranger"), member, "127.0.0.1",
                "another-token-0123456789abcdef", "/vessel"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the ZooKeeper at " + member + " is not a quorum the Vessel nodes run with this"
                        + " token: it refused this node's quorum identity (KeeperErrorCode = NoAuth");
    }

    @Test
    void aDesiredMembershipThatCannotBeMetIsReportedAndNotAttempted() throws Exception {
        QuorumMembership.Settings five = fiveVoters(true);
        QuorumMembership first = start("m1", five, null, "a");
        start("m2", fiveVoters(false), first.connectString(), "b");
        start("m3", fiveVoters(false), first.connectString(), "c");
        reader = QuorumTesting.reader(first.connectString());
        reader.blockUntilConnected();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> new String(reader.getData()
                .forPath("/vessel/quorum/status"), StandardCharsets.UTF_8)
                .contains("want 5 voters, 3 eligible member(s): 3 voter(s) until more join; not attempted"));
        assertThat(config().voters()).hasSize(3);
    }

    @Test
    void twoMembersDownAtOnceInAFiveVoterQuorumAreRemovedAndComeBackAsVoters() throws Exception {
        QuorumMembership first = start("f1", fiveVoters(true), null, "a");
        List<QuorumMembership> rest = new ArrayList<>();
        List<QuorumMembership.Settings> settings = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            QuorumMembership.Settings s = fiveVoters(false);
            settings.add(s);
            rest.add(start("f" + i, s, first.connectString(), "z" + i));
        }
        reader = QuorumTesting.reader(first.connectString());
        reader.blockUntilConnected();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> config().voters().size() == 5);
        for (int i = 0; i < 20; i++) {
            reader.create().creatingParentsIfNeeded().forPath("/data/record-" + i, ("value " + i).getBytes());
        }
        Map<String, String> before = tree("/data");

        // two voters that do not run the manager (f1 does: it joined the election first) go at once
        QuorumMembership f4 = rest.get(2);
        QuorumMembership f5 = rest.get(3);
        long id4 = f4.self().id();
        long id5 = f5.self().id();
        f4.close();
        f5.close();
        members.remove(f4);
        members.remove(f5);
        // three of five still vote: writes go on while both are removed, one at a time
        reader.create().forPath("/data/while-two-are-down", "written".getBytes());
        before.put("/data/while-two-are-down", "written");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !config().members().containsKey(id4)
                && !config().members().containsKey(id5) && config().voters().size() == 3);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> new String(reader.getData()
                .forPath("/vessel/quorum/status"), StandardCharsets.UTF_8)
                .contains("want 5 voters, 3 eligible member(s)"));
        assertThat(tree("/data")).isEqualTo(before);

        // both come back with their data; with voters short they become voters again after the stabilization time
        QuorumMembership back4 = start("f4", settings.get(2), first.connectString(), "z4");
        QuorumMembership back5 = start("f5", settings.get(3), first.connectString(), "z5");
        assertThat(List.of(back4.self().id(), back5.self().id())).containsExactly(id4, id5);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> config().voters().keySet()
                .containsAll(List.of(id4, id5)) && config().voters().size() == 5);
        assertThat(tree("/data")).isEqualTo(before);
    }

    /**
     * Two of three voters lost at once: the survivor cannot write. Re-founded from it, it is writable again with all
     * it had; a lost member that returns with its old membership and data is not a voter, follows the survivor (its
     * data replaced by the survivor's) and is made a voter again; with a new member the quorum has three voters.
     */
    @Test
    void aQuorumThatLostTwoOfThreeVotersIsRecoveredFromTheThirdAndGrowsBack() throws Exception {
        QuorumMembership first = start("r1", settings(true), null, "a");
        QuorumMembership.Settings secondSettings = settings(false);
        QuorumMembership second = start("r2", secondSettings, first.connectString(), "b");
        QuorumMembership third = start("r3", settings(false), first.connectString(), "c");
        reader = QuorumTesting.reader(first.self().clientAddress());
        reader.blockUntilConnected();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> config().voters().size() == 3);
        for (int i = 0; i < 20; i++) {
            reader.create().creatingParentsIfNeeded().forPath("/data/record-" + i, ("value " + i).getBytes());
        }
        Map<String, String> before = tree("/data");
        long lostId = second.self().id();

        second.close();
        third.close();
        members.remove(second);
        members.remove(third);
        await().atMost(Duration.ofSeconds(30)).until(() -> "".equals(QuorumManager.probe(first.self())));

        QuorumRecovery.Refounded refounded = first.recover();
        assertThat(refounded.member()).isEqualTo(first.self().id());
        assertThat(refounded.observers()).containsExactlyInAnyOrder(lostId, third.self().id());
        assertThat(refounded.toVersion()).isGreaterThan(refounded.fromVersion());
        assertThat(refounded.toVersion() & 0xffff_ffffL).as("the first version of an epoch after every one seen")
                .isZero();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            reader.create().orSetData().forPath("/data/after-recovery", "written".getBytes());
            return true;
        });
        before.put("/data/after-recovery", "written");
        assertThat(tree("/data")).as("everything the survivor had, and writable").isEqualTo(before);
        assertThat(config().voters().keySet()).containsExactly(first.self().id());

        // the lost member comes back with its old membership: it follows the survivor, then votes again
        QuorumMembership back = start("r2", secondSettings, first.connectString(), "b");
        assertThat(back.self().id()).isEqualTo(lostId);
        start("r4", settings(false), first.connectString(), "c");
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> config().voters().size() == 3
                && config().voters().containsKey(lostId));
        try (CuratorFramework viaBack = CuratorFrameworkFactory.newClient(back.self().clientAddress(),
                new RetryOneTime(200))) {
            viaBack.start();
            viaBack.blockUntilConnected();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                viaBack.sync().forPath("/data");
                return viaBack.checkExists().forPath("/data/after-recovery") != null;
            });
        }
        assertThat(tree("/data")).isEqualTo(before);
    }

    private static QuorumMembership.Settings fiveVoters(boolean found) throws IOException {
        return new QuorumMembership.Settings(found, freePort(), freePort(), freePort(), 5, Duration.ofSeconds(2),
                Duration.ofSeconds(4));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
