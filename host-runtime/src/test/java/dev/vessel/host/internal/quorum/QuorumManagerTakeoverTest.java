package dev.vessel.host.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.internal.quorum.QuorumMember.Role;
import dev.vessel.registry.RegistryCredentials;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manager that stops between its {@code reconfig} and the history entry confirming it: the manager that takes
 * over finds the change in flight in the status record and confirms it once, or, when the configuration never
 * moved, plans afresh without inventing a change. The crash is staged with the same two writes the manager makes.
 */
class QuorumManagerTakeoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final QuorumPaths PATHS = new QuorumPaths("/vessel");
    private static final QuorumPlanner.Desired DESIRED = new QuorumPlanner.Desired(3, Duration.ofSeconds(2),
            Duration.ofSeconds(60));

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private CuratorFramework superSession(String connect) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(connect)
                .retryPolicy(new RetryOneTime(200)).aclProvider(RegistryCredentials.forNodes(QuorumTesting.TOKEN))
                .authorization("digest", ("super:" + QuorumMembership.superPassword(QuorumTesting.TOKEN))
                        .getBytes(StandardCharsets.UTF_8))
                .build();
        client.start();
        open.add(client);
        client.blockUntilConnected();
        return client;
    }

    private static void crashedManagerStatus(CuratorFramework client, QuorumMember member, long fromVersion)
            throws Exception {
        Map<String, Object> inFlight = new LinkedHashMap<>();
        inFlight.put("change", "add-observer");
        inFlight.put("server", member.id());
        inFlight.put("member", member.line());
        inFlight.put("reason", "asks to join (zone z); voters complete");
        inFlight.put("fromVersion", Long.toHexString(fromVersion));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("manager", "crashed-node");
        status.put("state", "applying add-observer server " + member.id());
        status.put("inFlight", inFlight);
        client.create().orSetData().creatingParentsIfNeeded().forPath(PATHS.status(), JSON.writeValueAsBytes(status));
    }

    private static List<JsonNode> history(CuratorFramework client) throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        if (client.checkExists().forPath(PATHS.history()) == null) {
            return entries;
        }
        List<String> children = new ArrayList<>(client.getChildren().forPath(PATHS.history()));
        children.sort(null);
        for (String child : children) {
            entries.add(JSON.readTree(client.getData().forPath(PATHS.history() + "/" + child)));
        }
        return entries;
    }

    @Test
    void aChangeItsPredecessorMadeButDidNotConfirmIsConfirmedOnce() throws Exception {
        QuorumMember first = member(1, Role.PARTICIPANT);
        QuorumServer founder = QuorumServer.start(dir.resolve("1"), first, List.of(first),
                QuorumServerTest.SUPER_DIGEST, QuorumServerTest.PEERS);
        open.add(founder);
        CuratorFramework client = superSession(first.clientAddress());
        long before = EnsembleView.parse(client.getConfig().forEnsemble()).version();
        // the crashed manager's two writes: its status naming the change, then the reconfig (an observer that is
        // not running needs nobody's acknowledgement); the history entry never came
        QuorumMember observer = member(2, Role.OBSERVER);
        crashedManagerStatus(client, observer, before);
        long after = EnsembleView.parse(client.reconfig().joining(observer.line()).fromConfig(before).forEnsemble())
                .version();

        QuorumManager heir = new QuorumManager(client, PATHS, "heir", DESIRED).start();
        open.add(heir);
        await().atMost(Duration.ofSeconds(30)).until(() -> history(client).size() == 1);
        JsonNode confirmed = history(client).get(0);
        assertThat(confirmed.path("change").asText()).isEqualTo("add-observer");
        assertThat(confirmed.path("server").asLong()).isEqualTo(2);
        assertThat(confirmed.path("fromVersion").asText()).isEqualTo(Long.toHexString(before));
        assertThat(confirmed.path("toVersion").asText()).isEqualTo(Long.toHexString(after));
        assertThat(confirmed.path("by").asText()).isEqualTo("heir");
        assertThat(confirmed.path("reason").asText()).isEqualTo("asks to join (zone z); voters complete;"
                + " confirmed by heir after crashed-node stopped");

        // it then plans as usual: the new observer is unreachable, its removal counts towards the threshold
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode status = JSON.readTree(client.getData().forPath(PATHS.status()));
            return status.path("manager").asText().equals("heir") && status.path("pending").size() == 1
                    && status.path("pending").get(0).path("progress").asText().startsWith("remove server 2:"
                            + " unreachable ") && status.path("inFlight").isNull();
        });
        // confirming again finds the entry: still one
        heir.confirmChangeLeftInFlight(System.currentTimeMillis());
        crashedManagerStatus(client, observer, before);
        heir.confirmChangeLeftInFlight(System.currentTimeMillis());
        assertThat(history(client)).hasSize(1);
    }

    @Test
    void aChangeThatNeverHappenedIsNotRecorded() throws Exception {
        QuorumMember first = member(1, Role.PARTICIPANT);
        QuorumServer founder = QuorumServer.start(dir.resolve("1"), first, List.of(first),
                QuorumServerTest.SUPER_DIGEST, QuorumServerTest.PEERS);
        open.add(founder);
        CuratorFramework client = superSession(first.clientAddress());
        long live = EnsembleView.parse(client.getConfig().forEnsemble()).version();
        // the predecessor stopped after naming the change and before its reconfig
        crashedManagerStatus(client, member(2, Role.OBSERVER), live);

        QuorumManager heir = new QuorumManager(client, PATHS, "heir", DESIRED).start();
        open.add(heir);
        await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(client.getData().forPath(PATHS.status()))
                .path("manager").asText().equals("heir"));
        assertThat(history(client)).isEmpty();
        assertThat(EnsembleView.parse(client.getConfig().forEnsemble()).version()).isEqualTo(live);
    }

    private static QuorumMember member(long id, Role role) throws IOException {
        return new QuorumMember(id, "127.0.0.1", freePort(), freePort(), freePort(), role);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
