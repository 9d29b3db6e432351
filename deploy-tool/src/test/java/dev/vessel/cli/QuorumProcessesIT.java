package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vessel node} processes that run the quorum themselves: one founds it, four join; three become voters
 * and two observers. A voter killed with SIGKILL is removed after the threshold and an observer takes its vote;
 * then the ZooKeeper leader is killed the same way and replaced too. The registry's data is the same after
 * every change, and {@code vessel quorum history} names each.
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
        int client = CliRunner.freePort();
        clientPorts.put(name, client);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("vessel.jar", "target/vessel.jar"), "node", "--port", "0",
                "--name", name, "--data", dir.resolve(name).toString(), "--token-file",
                Files.writeString(dir.resolve("token"), CliRunner.QUORUM_TOKEN).toString(), "--quorum-ports",
                Integer.toString(client), "--quorum-stabilization", "2", "--quorum-removal-after", "5"));
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

    private JsonNode status(String zk) throws Exception {
        CliRunner run = CliRunner.run("quorum", "status", "--zk", zk, "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return JSON.readTree(run.out());
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

    @Test
    void nodesGrowTheirQuorumAndReplaceKilledVotersTheLeaderIncluded() throws Exception {
        node("q1", true, null);
        String founder = "127.0.0.1:" + clientPorts.get("q1");
        for (String name : List.of("q2", "q3", "q4", "q5")) {
            node(name, false, founder);
        }
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            JsonNode s = status(founder);
            return nodesWithRole(s, "participant").size() == 3 && nodesWithRole(s, "observer").size() == 2;
        });
        String all = String.join(",", clientPorts.values().stream().map(p -> "127.0.0.1:" + p).toList());
        // a client that knows only the founder: Curator's ensemble tracker keeps its connect string current
        try (CuratorFramework onlyFounder = CuratorFrameworkFactory.newClient(founder, new ExponentialBackoffRetry(200,
                10));
                CuratorFramework client = CuratorFrameworkFactory.newClient(all, new ExponentialBackoffRetry(200, 10))) {
            onlyFounder.start();
            onlyFounder.blockUntilConnected(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> onlyFounder.getZookeeperClient().getCurrentConnectionString()
                    .split(",").length == 5);
            client.start();
            client.blockUntilConnected(30, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                client.create().creatingParentsIfNeeded().forPath("/itest/record-" + i, ("value " + i).getBytes());
            }
            Map<String, String> before = tree(client, "/itest");
            Map<String, String> registry = tree(client, "/vessel/nodes");

            // closed to strangers: without the nodes' identity nothing under the root can be created or changed
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.create().creatingParentsIfNeeded()
                    .forPath("/vessel/deployments/evil", "{}".getBytes()))
                    .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.setData().forPath("/vessel/nodes/q2",
                    "{}".getBytes())).isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.delete().forPath("/vessel/quorum/status"))
                    .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            assertThat(tree(client, "/vessel/nodes")).as("nothing changed").isEqualTo(registry);
            assertThat(client.checkExists().forPath("/vessel/deployments/evil")).isNull();
            try (CuratorFramework asNodes = CuratorFrameworkFactory.builder().connectString(all)
                    .retryPolicy(new ExponentialBackoffRetry(200, 10)).authorization("digest",
                            dev.vessel.registry.RegistryCredentials.forNodes(CliRunner.QUORUM_TOKEN).authInfo())
                    .build()) {
                asNodes.start();
                asNodes.create().forPath("/vessel/deployments/allowed", "{}".getBytes());
                asNodes.delete().forPath("/vessel/deployments/allowed");
            }

            // a voter that is not the leader dies
            JsonNode grown = status(all);
            String follower = null;
            String leader = null;
            for (JsonNode m : grown.path("members")) {
                if (m.path("mode").asText().equals("follower") && follower == null) {
                    follower = m.path("node").asText();
                }
                if (m.path("mode").asText().equals("leader")) {
                    leader = m.path("node").asText();
                }
            }
            assertThat(follower).isNotNull();
            assertThat(leader).isNotNull();
            nodes.get(follower).destroyForcibly(); // SIGKILL
            String killedFollower = follower;
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
                JsonNode s = status(all);
                return nodesWithRole(s, "participant").size() == 3 && !nodesWithRole(s, "participant")
                        .contains(killedFollower) && !nodesWithRole(s, "observer").contains(killedFollower);
            });
            assertThat(tree(client, "/itest")).isEqualTo(before);

            // then the leader
            nodes.get(leader).destroyForcibly();
            String killedLeader = leader;
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
                JsonNode s = status(all);
                return nodesWithRole(s, "participant").size() == 3 && !nodesWithRole(s, "participant")
                        .contains(killedLeader);
            });
            assertThat(tree(client, "/itest")).isEqualTo(before);
            client.create().forPath("/itest/after", "writes go on".getBytes());

            // the founder goes too (if it still runs): the client that only ever knew it still reaches the quorum
            nodes.get("q1").destroyForcibly();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> onlyFounder.create()
                    .forPath("/itest/through-the-tracker") != null);
        }
        CliRunner history = CliRunner.run("quorum", "history", "--zk", all);
        assertThat(history.out()).contains("remove").contains("unreachable for more than 5 s").contains("promote");
    }
}
