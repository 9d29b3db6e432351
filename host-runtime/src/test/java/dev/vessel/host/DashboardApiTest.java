package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.call;
import static dev.vessel.host.NodeTestSupport.get;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard reads and who may: {@code GET /v1/admin/dashboard} with the admin or the viewer token, the
 * viewer refused every change; every node's load from {@code GET /v1/load}, a peer that refuses connections or
 * accepts and never answers (a frozen node) reported as such within the peer timeout; the page's files served
 * from the jar with a policy that lets the page load nothing from elsewhere.
 */
class DashboardApiTest extends SingleNodeTestBase {
    private static final String TOKEN = "dashboard-test-token-0123456789";
    private static final String VIEWER = ViewerToken.of(TOKEN);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    protected NodeConfig.Builder configure(NodeConfig.Builder config) {
        return config.adminToken(TOKEN);
    }

    @Test
    void theViewerTokenReadsEverythingTheDashboardShowsAndChangesNothing() throws Exception {
        assertThat(VIEWER).isNotEqualTo(TOKEN).doesNotContain(TOKEN);
        HttpResponse<String> admin = request("GET", "/v1/admin/dashboard", TOKEN, null);
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        assertThat(JSON.readTree(admin.body()).path("role").asText()).isEqualTo("admin");
        HttpResponse<String> viewer = request("GET", "/v1/admin/dashboard", VIEWER, null);
        assertThat(viewer.statusCode()).as(viewer.body()).isEqualTo(200);
        assertThat(JSON.readTree(viewer.body()).path("role").asText()).isEqualTo("viewer");
        for (String read : List.of("/v1/admin/cluster/status", "/v1/admin/deployments/greeter",
                "/v1/admin/instances/greeter", "/v1/admin/rollouts/greeter",
                "/v1/admin/releases", "/v1/admin/releases/greeter", "/v1/admin/cluster/records",
                "/v1/admin/configurations/greeter", "/v1/admin/configurations/greeter/history")) {
            assertThat(request("GET", read, VIEWER, null).statusCode()).as(read).isEqualTo(200);
        }
        JsonNode records = JSON.readTree(request("GET", "/v1/admin/cluster/records", VIEWER, null).body());
        assertThat(records.path("nodes").findValuesAsText("id")).containsExactly("n1");
        assertThat(records.path("statuses").path("n1").path("node").asText()).isEqualTo("n1");
        JsonNode configuration = JSON.readTree(request("GET", "/v1/admin/configurations/greeter", VIEWER, null)
                .body());
        assertThat(configuration.path("revision").asLong()).as("nothing set yet: the empty revision").isZero();
        assertThat(JSON.readTree(request("GET", "/v1/admin/configurations/greeter/history", VIEWER, null).body())
                .path("history").isArray()).isTrue();

        String sha = "0".repeat(64);
        List<String[]> changes = List.of(
                new String[] {"POST", "/v1/admin/deployments/greeter", "{\"action\":\"rollback\"}"},
                new String[] {"POST", "/v1/admin/releases", "{\"service\":\"greeter\"}"},
                new String[] {"POST", "/v1/admin/configurations/greeter", "{\"properties\":{}}"},
                new String[] {"PUT", "/v1/admin/artifacts/" + sha, "jar"},
                new String[] {"GET", "/v1/admin/artifacts/" + sha, null},
                new String[] {"GET", "/v1/admin/no-such-thing", null});
        for (String[] change : changes) {
            HttpResponse<String> refused = request(change[0], change[1], VIEWER, change[2]);
            AdminApiContractTest.assertError(refused, 403, "FORBIDDEN", "the viewer token reads");
        }
        assertThat(new DeploymentStore(reader).read("greeter").revision()).as("nothing was written").isZero();
        AdminApiContractTest.assertError(request("GET", "/v1/admin/dashboard", "x".repeat(64), null), 403,
                "FORBIDDEN", "wrong admin token");
        AdminApiContractTest.assertError(request("GET", "/v1/admin/dashboard", null, null), 401, "UNAUTHORIZED",
                "Authorization: Bearer");
    }

    @Test
    void theViewShowsDesiredStateConvergenceAndEachVersionsShareOfCalls() throws Exception {
        // desired state: revision 1 adds 1.0.0, revision 2 adds 2.0.0
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(deploy(release("greeter-2.0.0")).state()).isEqualTo(InstanceState.ACTIVE);

        // three calls to 1.0.0 for each one to 2.0.0, until a load tick has seen them
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < 30; i++) {
                assertThat(call(node, "1.0.0", "greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
                if (i % 3 == 0) {
                    assertThat(call(node, "2.0.0", "greet", "[\"Ada\",\"fr\"]").statusCode()).isEqualTo(200);
                }
            }
            JsonNode view = view();
            JsonNode service = view.path("services").get(0);
            assertThat(service.path("service").asText()).isEqualTo("greeter");
            assertThat(service.path("versions").findValuesAsText("version")).containsExactly("2.0.0", "1.0.0");
            double share1 = service.path("versions").get(1).path("share").asDouble();
            double share2 = service.path("versions").get(0).path("share").asDouble();
            assertThat(share1 + share2).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.002));
            assertThat(share1).isGreaterThan(share2);
        });
        JsonNode view = view();
        JsonNode service = view.path("services").get(0);
        assertThat(service.path("deployment").path("revision").asLong()).isEqualTo(2);
        assertThat(service.path("versions").get(0).path("weight").asInt()).isEqualTo(100);
        assertThat(view.path("nodes").get(0).path("containers").findValuesAsText("state"))
                .containsExactly("ACTIVE", "ACTIVE");
        JsonNode own = view.path("load").path("n1").path("load");
        assertThat(own.path("containers").findValuesAsText("version")).containsExactly("1.0.0", "2.0.0");
        // each container's CPU as the node measures it, and how the node isolates it
        assertThat(own.path("containers").findValues("cpuLimit")).allSatisfy(limit -> assertThat(limit.asDouble())
                .isPositive());
        assertThat(own.path("containers").findValues("cpuSeconds")).hasSize(2);
        assertThat(view.path("nodes").get(0).path("cpu").path("mechanism").asText()).isIn("cgroup-v1", "measured");
        assertThat(view.path("quorum").path("members").isArray()).as(view.path("quorumError").asText()).isTrue();

        // what a rollout that wrote revision 2 follows, through the node
        HttpResponse<String> rollout = request("GET", "/v1/admin/rollouts/greeter?revision=2", VIEWER, null);
        assertThat(rollout.statusCode()).as(rollout.body()).isEqualTo(200);
        JsonNode progress = JSON.readTree(rollout.body());
        assertThat(progress.path("deployment").path("revision").asLong()).isEqualTo(2);
        assertThat(progress.path("convergence").path("nodes").findValuesAsText("state"))
                .containsExactly("ACTIVE", "ACTIVE");
        AdminApiContractTest.assertError(request("GET", "/v1/admin/rollouts/greeter?revision=7", TOKEN, null), 404,
                "NOT_FOUND", "greeter has no revision 7");
        AdminApiContractTest.assertError(request("GET", "/v1/admin/rollouts/greeter?revision=x", TOKEN, null), 400,
                "BAD_REQUEST", "revision must be a number");

        // the same node's own /v1/load, without a token, like /metrics
        HttpResponse<String> load = get(node, "/v1/load");
        assertThat(load.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(load.body()).path("node").asText()).isEqualTo("n1");
    }

    @Test
    void aPeerThatRefusesOrNeverAnswersIsReportedAndDoesNotHoldTheViewUp() throws Exception {
        try (ServerSocket frozen = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                ServerSocket closed = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int refusing = closed.getLocalPort();
            closed.close(); // nothing listens there any more
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(frozen.accept()); // accepted, never read, never answered: a SIGSTOPped node
                    }
                } catch (java.io.IOException stopped) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            NodePresence frozenNode = NodePresence.publish(reader, new NodeRecord("frozen", "127.0.0.1",
                    frozen.getLocalPort(), "default", Map.of(), System.currentTimeMillis(), 0), 5_000);
            NodePresence goneNode = NodePresence.publish(reader, new NodeRecord("gone", "127.0.0.1", refusing,
                    "default", Map.of(), System.currentTimeMillis(), 0), 5_000);
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode load = view().path("load");
                    assertThat(load.path("frozen").path("error").asText()).contains("no answer within 500 ms");
                    assertThat(load.path("gone").path("error").asText()).isEqualTo("unreachable: connection refused");
                    assertThat(load.path("n1").path("load").path("node").asText()).isEqualTo("n1");
                });
            } finally {
                frozenNode.close();
                goneNode.close();
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /**
     * A ZooKeeper outage never holds the dashboard up: the node answers at once with the last view it read,
     * marked disconnected, and reads again once its session is back.
     */
    @Test
    void withoutItsRegistrySessionTheNodeAnswersTheLastViewAtOnceMarkedDisconnected() throws Exception {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        JsonNode before = JSON.readTree(request("GET", "/v1/admin/dashboard", VIEWER, null).body());
        assertThat(before.path("registry").asText()).isEqualTo("connected");
        zk.stop();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode during = JSON.readTree(request("GET", "/v1/admin/dashboard", VIEWER, null).body());
                assertThat(during.path("registry").asText()).isEqualTo("disconnected");
                assertThat(during.path("view").path("time").asLong())
                        .as("the last view read, not a new one").isEqualTo(before.path("view").path("time").asLong());
            });
            // each answer without a session comes at once: no read waits for the registry
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> quick = HTTP.send(HttpRequest.newBuilder(URI.create(node.url()
                                + "/v1/admin/dashboard")).header("Authorization", "Bearer " + VIEWER)
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(quick.statusCode()).isEqualTo(200);
            }
        } finally {
            zk.restart();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(JSON.readTree(request("GET",
                "/v1/admin/dashboard", VIEWER, null).body()).path("registry").asText()).isEqualTo("connected"));
    }

    @Test
    void thePagesFilesComeFromTheJarWithAPolicyThatAllowsNothingElse() throws Exception {
        HttpResponse<String> page = get(node, "/ui/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<script src=\"app.js\"").contains("<link rel=\"stylesheet\" href=\"app.css\">");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
                assertThat(policy).contains("default-src 'none'").contains("script-src 'self'")
                        .contains("connect-src 'self'").doesNotContain("unsafe").doesNotContain("http"));
        for (String asset : List.of("/ui/app.js", "/ui/app.css")) {
            HttpResponse<String> file = get(node, asset);
            assertThat(file.statusCode()).as(asset).isEqualTo(200);
            assertThat(file.body()).as(asset).doesNotContain("http://").doesNotContain("https://");
        }
        String etag = page.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/ui/"))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);

        HttpResponse<String> bare = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/ui")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("Location")).hasValue("/ui/");
        AdminApiContractTest.assertError(get(node, "/ui/secret.txt"), 404, "NOT_FOUND", "/ui/secret.txt");
        AdminApiContractTest.assertError(request("POST", "/ui/", null, "x"), 405, "METHOD_NOT_ALLOWED", "read");
    }

    private JsonNode view() throws Exception {
        HttpResponse<String> response = request("GET", "/v1/admin/dashboard", VIEWER, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("view");
    }

    private HttpResponse<String> request(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
