package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException.NoAuthException;
import dev.vessel.registry.RegistryCredentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vessel node} processes that run the quorum themselves: one founds it, four join; three become voters
 * and two observers. A voter frozen with SIGSTOP is removed after the threshold, an observer takes its vote, and
 * thawed it comes back as an observer; a voter killed with SIGKILL is removed and replaced the same way; then the
 * ZooKeeper leader is killed: writes go on and it is replaced too. The registry's data is the same after
 * every change, and {@code vessel quorum history} names each. Separately, the node running the quorum manager is
 * killed while a removal is under way: another node takes over and makes it, and removes the killed member too.
 */
class QuorumProcessesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Map<String, Process> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> clientPorts = new LinkedHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : nodes.values()) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process node(String name, boolean found, String zk) throws Exception {
        return node(name, found, zk, 5);
    }

    private Process node(String name, boolean found, String zk, int removalSeconds) throws Exception {
        int client = CliRunner.freePort();
        clientPorts.put(name, client);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("vessel.jar", "target/vessel.jar"), "node", "--port", "0",
                "--name", name, "--data", dir.resolve(name).toString(), "--token-file",
                Files.writeString(dir.resolve("token"), CliRunner.QUORUM_TOKEN).toString(), "--quorum-ports",
                Integer.toString(client), "--quorum-stabilization", "2", "--quorum-removal-after",
                Integer.toString(removalSeconds)));
        if (found) {
            command.add("--found-quorum");
        } else {
            command.addAll(List.of("--quorum", "--zk", zk));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        nodes.put(name, process);
        await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive() || Files.readString(
                dir.resolve(name + ".log")).contains("Ctrl-C stops the node."));
        assertThat(process.isAlive()).as(Files.readString(dir.resolve(name + ".log"))).isTrue();
        return process;
    }

    private Path readerSecret() throws Exception {
        return Files.writeString(dir.resolve("reader-secret"), RegistryCredentials.readerSecret(CliRunner.QUORUM_TOKEN));
    }

    private JsonNode status(String zk) throws Exception {
        CliRunner run = CliRunner.run("quorum", "status", "--zk", zk, "--json", "--reader-secret-file",
                readerSecret().toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    /**
     * Polls {@code vessel quorum status} until the condition holds; on timeout fails with the last status seen and
     * the tail of every node's log, so a failure in CI can be read without rerunning it.
     */
    private JsonNode awaitStatus(String zk, Duration atMost, java.util.function.Predicate<JsonNode> condition)
            throws Exception {
        JsonNode[] last = {null};
        Throwable[] lastError = {null};
        long started = System.nanoTime();
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
                try {
                    last[0] = status(zk);
                    lastError[0] = null;
                    return condition.test(last[0]);
                } catch (Exception | AssertionError e) {
                    lastError[0] = e;
                    return false;
                }
            });
            return last[0];
        } catch (org.awaitility.core.ConditionTimeoutException timeout) {
            StringBuilder report = new StringBuilder("quorum status did not reach the expected state within ")
                    .append(atMost).append("\nlast status: ").append(last[0]).append("\nlast error: ")
                    .append(lastError[0]).append('\n');
            for (String name : nodes.keySet()) {
                Path log = dir.resolve(name + ".log");
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log);
                    report.append("--- ").append(name).append(" (last 40 lines)\n");
                    lines.subList(Math.max(0, lines.size() - 40), lines.size())
                            .forEach(l -> report.append(l).append('\n'));
                }
            }
            System.err.println(report);
            throw new AssertionError(report.toString(), timeout);
        } finally {
            System.out.printf("quorum state reached or given up after %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
    }

    /** Server ids by role: a killed member's registration, and so its node name, is gone. */
    private static Set<Long> idsWithRole(JsonNode status, String role) {
        Set<Long> found = new TreeSet<>();
        for (JsonNode m : status.path("members")) {
            if (m.path("role").asText().equals(role)) {
                found.add(m.path("id").asLong());
            }
        }
        return found;
    }

    private static Set<String> nodesWithRole(JsonNode status, String role) {
        Set<String> found = new TreeSet<>();
        for (JsonNode m : status.path("members")) {
            if (m.path("role").asText().equals(role)) {
                found.add(m.path("node").asText());
            }
        }
        return found;
    }

    private static Map<String, String> tree(CuratorFramework client, String path) throws Exception {
        Map<String, String> all = new TreeMap<>();
        for (String child : client.getChildren().forPath(path)) {
            String full = path + "/" + child;
            byte[] data = client.getData().forPath(full);
            all.put(full, data == null ? "" : new String(data, StandardCharsets.UTF_8));
            all.putAll(tree(client, full));
        }
        return all;
    }

    private void assertRoguePeerIsRefused(String ensembleConfig) throws Exception {
        Path rogueDir = Files.createDirectories(dir.resolve("rogue").resolve("data"));
        Files.writeString(rogueDir.resolve("myid"), "99");
        int clientPort = CliRunner.freePort();
        StringBuilder config = new StringBuilder("tickTime=500\ninitLimit=20\nsyncLimit=4\n")
                .append("dataDir=").append(rogueDir).append('\n')
                .append("reconfigEnabled=true\nstandaloneEnabled=false\nadmin.enableServer=false\n")
                .append("4lw.commands.whitelist=srvr\n");
        for (String line : ensembleConfig.split("\n")) {
            if (line.startsWith("server.")) {
                config.append(line).append('\n');
            }
        }
        config.append("server.99=127.0.0.1:").append(CliRunner.freePort()).append(':').append(CliRunner.freePort())
                .append(":participant;127.0.0.1:").append(clientPort).append('\n');
        Path cfg = dir.resolve("rogue").resolve("zoo.cfg");
        Files.writeString(cfg, config);
        Process rogue = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("vessel.jar", "target/vessel.jar"),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rogue.log").toFile()).start();
        nodes.put("rogue", rogue);
        try {
            // given 15 s, it never follows: its client port answers, but it serves nothing
            await().atMost(Duration.ofSeconds(30)).until(() -> mode(clientPort) != null);
            await().during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20)).until(() -> {
                String mode = mode(clientPort);
                return mode == null || !(mode.equals("follower") || mode.equals("observer") || mode.equals("leader"));
            });
        } finally {
            rogue.destroyForcibly();
            rogue.waitFor(30, TimeUnit.SECONDS);
            nodes.remove("rogue");
        }
    }

    private static void signal(Process process, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** A server's own {@code Mode}, "" while it serves nothing, null if it does not answer. */
    private static String mode(int clientPort) {
        try {
            String answer = org.apache.zookeeper.client.FourLetterWordMain.send4LetterWord("127.0.0.1", clientPort,
                    "srvr", false, 1_000);
            int at = answer.indexOf("Mode: ");
            return at < 0 ? "" : answer.substring(at + 6).split("\\s")[0];
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void nodesGrowTheirQuorumReplaceFrozenAndKilledVotersAndSurviveALeaderKill() throws Exception {
        node("q1", true, null);
        String founder = "127.0.0.1:" + clientPorts.get("q1");
        for (String name : List.of("q2", "q3", "q4", "q5")) {
            node(name, false, founder);
        }
        awaitStatus(founder, Duration.ofSeconds(90), s -> {
            return nodesWithRole(s, "participant").size() == 3 && nodesWithRole(s, "observer").size() == 2;
        });
        String all = String.join(",", clientPorts.values().stream().map(p -> "127.0.0.1:" + p).toList());
        // a client that knows only the founder: Curator's ensemble tracker keeps its connect string current
        try (CuratorFramework onlyFounder = asNodes(founder);
                CuratorFramework client = asNodes(all);
                CuratorFramework stranger = CuratorFrameworkFactory.newClient(all, new ExponentialBackoffRetry(200, 10));
                CuratorFramework reader = CuratorFrameworkFactory.builder().connectString(all)
                        .retryPolicy(new ExponentialBackoffRetry(200, 10)).authorization("digest",
                                RegistryCredentials.forReader(RegistryCredentials.readerSecret(CliRunner.QUORUM_TOKEN))
                                        .authInfo()).build()) {
            onlyFounder.start();
            onlyFounder.blockUntilConnected(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> onlyFounder.getZookeeperClient().getCurrentConnectionString()
                    .split(",").length == 5);
            client.start();
            client.blockUntilConnected(30, TimeUnit.SECONDS);
            reader.start();
            reader.blockUntilConnected(30, TimeUnit.SECONDS);
            stranger.start();
            stranger.blockUntilConnected(30, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                client.create().creatingParentsIfNeeded().forPath("/itest/record-" + i, ("value " + i).getBytes());
            }
            Map<String, String> before = tree(client, "/itest");
            Map<String, String> registry = tree(reader, "/vessel/nodes");

            // closed to strangers: without a credential nothing under the root can be read, created or changed;
            // with the reader's, everything can be read and nothing changed
            assertThatThrownBy(() -> stranger.getData().forPath("/vessel/nodes/q2")).isInstanceOf(NoAuthException.class);
            // nor anywhere else: ZooKeeper's root and /zookeeper are closed to all but the nodes
            assertThatThrownBy(() -> stranger.create().forPath("/anything", new byte[1024]))
                    .isInstanceOf(NoAuthException.class);
            assertThatThrownBy(() -> stranger.create().forPath("/zookeeper/anything"))
                    .isInstanceOf(NoAuthException.class);
            for (CuratorFramework refused : List.of(stranger, reader)) {
                assertThatThrownBy(() -> refused.create().creatingParentsIfNeeded()
                        .forPath("/vessel/deployments/evil", "{}".getBytes())).isInstanceOf(NoAuthException.class);
                assertThatThrownBy(() -> refused.setData().forPath("/vessel/nodes/q2", "{}".getBytes()))
                        .isInstanceOf(NoAuthException.class);
                assertThatThrownBy(() -> refused.delete().forPath("/vessel/quorum/status"))
                        .isInstanceOf(NoAuthException.class);
            }
            assertThat(tree(reader, "/vessel/nodes")).as("nothing changed").isEqualTo(registry);
            assertThat(reader.checkExists().forPath("/vessel/deployments/evil")).isNull();
            try (CuratorFramework asNodes = CuratorFrameworkFactory.builder().connectString(all)
                    .retryPolicy(new ExponentialBackoffRetry(200, 10)).authorization("digest",
                            RegistryCredentials.forNodes(CliRunner.QUORUM_TOKEN).authInfo())
                    .aclProvider(RegistryCredentials.forNodes(CliRunner.QUORUM_TOKEN)).build()) {
                asNodes.start();
                asNodes.create().forPath("/vessel/deployments/allowed", "{}".getBytes());
                asNodes.delete().forPath("/vessel/deployments/allowed");
            }

            // a stranger's ZooKeeper server that knows the members' addresses but not the peer password cannot
            // follow (and so read everything) or vote
            assertRoguePeerIsRefused(new String(reader.getConfig().forEnsemble(), StandardCharsets.UTF_8));

            // a frozen minority: a follower voter stopped with SIGSTOP past the threshold is removed and an observer
            // votes instead; writes go on meanwhile; thawed, it comes back as an observer
            JsonNode beforeFreeze = status(all);
            long frozenId = -1;
            String frozen = null;
            for (JsonNode m : beforeFreeze.path("members")) {
                if (m.path("mode").asText().equals("follower") && frozen == null) {
                    frozen = m.path("node").asText();
                    frozenId = m.path("id").asLong();
                }
            }
            assertThat(frozen).isNotNull();
            signal(nodes.get(frozen), "STOP");
            long frozenMember = frozenId;
            try {
                awaitStatus(all, Duration.ofSeconds(60), s -> {
                    return idsWithRole(s, "participant").size() == 3 && !idsWithRole(s, "participant")
                            .contains(frozenMember);
                });
                client.create().forPath("/itest/while-frozen", "writes go on".getBytes());
            } finally {
                signal(nodes.get(frozen), "CONT");
            }
            awaitStatus(all, Duration.ofSeconds(90), s -> idsWithRole(s, "observer").contains(frozenMember));
            before.put("/itest/while-frozen", "writes go on");
            assertThat(tree(client, "/itest")).isEqualTo(before);

            // a voter that is not the leader dies
            JsonNode grown = status(all);
            String follower = null;
            long followerId = -1;
            String leader = null;
            for (JsonNode m : grown.path("members")) {
                if (m.path("mode").asText().equals("follower") && follower == null) {
                    follower = m.path("node").asText();
                    followerId = m.path("id").asLong();
                }
                if (m.path("mode").asText().equals("leader")) {
                    leader = m.path("node").asText();
                }
            }
            assertThat(follower).isNotNull();
            assertThat(leader).isNotNull();
            nodes.get(follower).destroyForcibly(); // SIGKILL
            long killedFollower = followerId;
            awaitStatus(all, Duration.ofSeconds(90), s -> {
                return idsWithRole(s, "participant").size() == 3 && !idsWithRole(s, "participant")
                        .contains(killedFollower) && !idsWithRole(s, "observer").contains(killedFollower)
                        && s.path("members").findValues("mode").stream().filter(m -> m.asText().equals("follower")
                                || m.asText().equals("leader")).count() == 3;
            });
            assertThat(tree(client, "/itest")).isEqualTo(before);

            // then the ZooKeeper leader: a new one is elected, writes succeed again, nothing is lost, and the
            // manager (often on the killed node: another takes over once its session expires) replaces it
            String leaderNode = leader;
            long leaderId = grown.path("members").findParents("node").stream().filter(m -> m.path("node")
                    .asText().equals(leaderNode)).findFirst().orElseThrow().path("id").asLong();
            nodes.get(leader).destroyForcibly();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client.create()
                    .forPath("/itest/after-the-leader", "writes go on".getBytes()) != null);
            awaitStatus(all, Duration.ofSeconds(90), s -> {
                return idsWithRole(s, "participant").size() == 3 && !idsWithRole(s, "participant")
                        .contains(leaderId) && !idsWithRole(s, "observer").contains(leaderId);
            });
            before.put("/itest/after-the-leader", "writes go on");
            assertThat(tree(client, "/itest")).isEqualTo(before);

            // the client that only ever knew the founder still reaches the quorum, the founder killed or not
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> onlyFounder.create()
                    .forPath("/itest/through-the-tracker") != null);
        }
        CliRunner history = CliRunner.run("quorum", "history", "--zk", all, "--reader-secret-file",
                readerSecret().toString());
        assertThat(history.out()).contains("remove").contains("unreachable for more than 5 s").contains("promote");
    }

    @Test
    void killingTheManagersNodeInTheMiddleOfAChangeHandsTheChangeToAnotherManager() throws Exception {
        // a removal threshold long enough for the test to see the change under way and kill the manager in it
        node("q1", true, null, 20);
        String founder = "127.0.0.1:" + clientPorts.get("q1");
        for (String name : List.of("q2", "q3", "q4", "q5")) {
            node(name, false, founder, 20);
        }
        String all = String.join(",", clientPorts.values().stream().map(p -> "127.0.0.1:" + p).toList());
        awaitStatus(all, Duration.ofSeconds(90), s -> {
            return nodesWithRole(s, "participant").size() == 3 && nodesWithRole(s, "observer").size() == 2;
        });
        try (CuratorFramework client = asNodes(all)) {
            client.start();
            client.blockUntilConnected(30, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                client.create().creatingParentsIfNeeded().forPath("/itest/record-" + i, ("value " + i).getBytes());
            }
            Map<String, String> before = tree(client, "/itest");

            // a change under way: an observer frozen, its removal counting towards the threshold
            JsonNode grown = status(all);
            String manager = grown.path("manager").path("manager").asText();
            long managerId = grown.path("members").findParents("node").stream().filter(m -> m.path("node").asText()
                    .equals(manager)).findFirst().orElseThrow().path("id").asLong();
            JsonNode observer = grown.path("members").findParents("role").stream().filter(m -> m.path("role")
                    .asText().equals("observer") && !m.path("node").asText().equals(manager)).findFirst()
                    .orElseThrow();
            String frozen = observer.path("node").asText();
            long frozenId = observer.path("id").asLong();
            signal(nodes.get(frozen), "STOP");
            try {
                awaitStatus(all, Duration.ofSeconds(15), s -> s.path("manager").path("pending")
                        .findValuesAsText("progress").stream()
                        .anyMatch(p -> p.startsWith("remove server " + frozenId + " (node " + frozen
                                + "): unreachable")));
                CliRunner shown = CliRunner.run("quorum", "status", "--zk", all, "--reader-secret-file",
                        readerSecret().toString());
                assertThat(shown.out()).contains("pending: remove server " + frozenId + " (node " + frozen
                        + "): unreachable");

                // the manager's node dies in the middle of it
                nodes.get(manager).destroyForcibly();
                // another node takes over, finishes the removal, removes the killed member and fills its vote
                // (about 40 s here: the dead manager's session expires in 15 s, then both removals wait 20 s)
                awaitStatus(all, Duration.ofSeconds(180), s -> {
                    Set<Long> configured = new TreeSet<>(idsWithRole(s, "participant"));
                    configured.addAll(idsWithRole(s, "observer"));
                    return !s.path("manager").path("manager").asText().equals(manager)
                            && idsWithRole(s, "participant").size() == 3 && !configured.contains(frozenId)
                            && !configured.contains(managerId);
                });
                assertThat(tree(client, "/itest")).isEqualTo(before);
            } finally {
                signal(nodes.get(frozen), "CONT");
            }
            // thawed, the frozen member comes back as an observer
            awaitStatus(all, Duration.ofSeconds(90), s -> idsWithRole(s, "observer").contains(frozenId));
            assertThat(tree(client, "/itest")).isEqualTo(before);
            CliRunner history = CliRunner.run("quorum", "history", "--zk", all, "--json", "--reader-secret-file",
                    readerSecret().toString());
            JsonNode changes = JSON.readTree(history.out());
            List<String> removalsByHeir = new ArrayList<>();
            for (JsonNode change : changes) {
                if (change.path("change").asText().equals("remove")) {
                    assertThat(change.path("by").asText()).as("made after the takeover").isNotEqualTo(manager);
                    removalsByHeir.add(change.path("server").asText());
                }
            }
            assertThat(removalsByHeir).containsExactlyInAnyOrder(Long.toString(frozenId), Long.toString(managerId));
        }
    }

    /**
     * Three node processes run a quorum of three voters; two are killed with SIGKILL and their data deleted, so the
     * survivor serves nothing. {@code vessel quorum recover} on the survivor's node makes it writable again with
     * everything it had; two new nodes make three voters again; a second recovery is refused.
     */
    @Test
    void aQuorumThatLostTwoOfThreeVotersForGoodIsRecoveredFromTheThirdAndGrowsBack() throws Exception {
        node("s1", true, null);
        String founder = "127.0.0.1:" + clientPorts.get("s1");
        node("s2", false, founder);
        node("s3", false, founder);
        awaitStatus(founder, Duration.ofSeconds(90), s -> nodesWithRole(s, "participant").size() == 3);
        String url = java.util.regex.Pattern.compile("serving on (http://\\S+)").matcher(Files.readString(
                dir.resolve("s1.log"))).results().findFirst().orElseThrow().group(1);
        try (CuratorFramework client = asNodes(founder)) {
            client.start();
            client.blockUntilConnected(30, TimeUnit.SECONDS);
            for (int i = 0; i < 20; i++) {
                client.create().creatingParentsIfNeeded().forPath("/itest/record-" + i, ("value " + i).getBytes());
            }
            Map<String, String> before = tree(client, "/itest");

            for (String lost : List.of("s2", "s3")) {
                signal(nodes.get(lost), "KILL");
                nodes.remove(lost).waitFor(30, TimeUnit.SECONDS);
                try (var files = Files.walk(dir.resolve(lost))) { // lost for good: its data goes too
                    for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> "".equals(mode(clientPorts.get("s1"))));

            Path token = dir.resolve("token");
            CliRunner recover = CliRunner.run("quorum", "recover", "--server", url, "--token-file", token.toString());
            assertThat(recover.exitCode()).as(recover.err()).isZero();
            assertThat(recover.out()).contains("quorum re-founded from server 1").contains("observers until they"
                    + " follow again");
            // writable again, with everything the survivor had
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                client.create().orSetData().forPath("/itest/after-recovery", "written".getBytes());
                return true;
            });
            before.put("/itest/after-recovery", "written");
            assertThat(tree(client, "/itest")).isEqualTo(before);

            node("s4", false, founder);
            node("s5", false, founder);
            awaitStatus(founder, Duration.ofSeconds(120), s -> nodesWithRole(s, "participant").size() == 3);
            assertThat(tree(client, "/itest")).isEqualTo(before);

            CliRunner again = CliRunner.run("quorum", "recover", "--server", url, "--token-file", token.toString());
            assertThat(again.exitCode()).isEqualTo(dev.vessel.protocol.ExitCodes.CONFLICT);
            assertThat(again.err()).contains("the quorum has a majority, so there is nothing to recover");
        }
    }

    /**
     * A client with the cluster nodes' identity: the registry and ZooKeeper's root are closed to anyone else, and
     * these tests write data of their own beside the registry to see it survive membership changes.
     */
    private static CuratorFramework asNodes(String connect) {
        return CuratorFrameworkFactory.builder().connectString(connect).retryPolicy(new ExponentialBackoffRetry(200, 10))
                .authorization("digest", RegistryCredentials.forNodes(CliRunner.QUORUM_TOKEN).authInfo())
                .aclProvider(RegistryCredentials.forNodes(CliRunner.QUORUM_TOKEN)).build();
    }
}
