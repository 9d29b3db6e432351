package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static dev.vessel.host.NodeTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoped tokens, checked by every node: a deployer changes its services only, a viewer reads, only admins manage
 * tokens, the registry keeps verifiers and never a token, and a revoked token is refused by every node.
 */
class ScopedTokensTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path data;

    private static TestingServer zk;
    private static VesselNode first;
    private static VesselNode second;

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        first = VesselNode.start(config(zk.getConnectString(), data.resolve("n1")).secureRegistry(true).build());
        second = VesselNode.start(config(zk.getConnectString(), data.resolve("n2")).nodeId("n2")
                .secureRegistry(true).build());
    }

    @AfterAll
    static void stop() throws Exception {
        second.close();
        first.close();
        zk.close();
    }

    @Test
    void aDeployerChangesItsOwnServicesOnlyOnEveryNodeUntilItIsRevoked() throws Exception {
        JsonNode issued = issue("{\"role\":\"deployer\",\"services\":\"calc*\",\"description\":\"calc team\"}");
        String token = issued.path("token").asText();
        String id = issued.path("record").path("id").asText();
        assertThat(token).startsWith("vessel_" + id + "_");
        assertThat(issued.path("record").path("services").asText()).isEqualTo("calc*");

        await().atMost(Duration.ofSeconds(5)).until(() -> send(second, "GET", "cluster/status", token, null)
                .statusCode() == 200);
        for (VesselNode node : new VesselNode[] {first, second}) {
            // not calc's: refused before anything is read or written
            HttpResponse<String> payments = send(node, "POST", "deployments/payments", token,
                    "{\"action\":\"retire\",\"version\":\"1.0.0\"}");
            assertThat(payments.statusCode()).as(payments.body()).isEqualTo(403);
            assertThat(payments.body()).contains("deploys services matching 'calc*'").contains("'payments'");
            // calc's: let through to the endpoint, which finds nothing to retire
            HttpResponse<String> calc = send(node, "POST", "deployments/calc-api", token,
                    "{\"action\":\"retire\",\"version\":\"1.0.0\"}");
            assertThat(calc.statusCode()).as(calc.body()).isNotIn(401, 403);
            // reads, yes; tokens and quorum recovery, no
            assertThat(send(node, "GET", "cluster/status", token, null).statusCode()).isEqualTo(200);
            assertThat(send(node, "GET", "tokens", token, null).statusCode()).isEqualTo(403);
            assertThat(send(node, "POST", "tokens", token, "{\"role\":\"admin\"}").statusCode()).isEqualTo(403);
            assertThat(send(node, "POST", "quorum/recover", token, "{}").statusCode()).isEqualTo(403);
        }

        // the registry holds what the token allows and its verifier, never the token
        try (RegistryConnection registry = RegistryConnection.connect(zk.getConnectString(),
                RegistryLayout.defaultLayout(), Duration.ofSeconds(10), RegistryCredentials.forReader(
                        RegistryCredentials.readerSecret(ADMIN_TOKEN)))) {
            String stored = new String(registry.curator().getData().forPath(registry.layout().token(id)));
            assertThat(stored).contains("\"verifier\"").contains("calc*")
                    .doesNotContain(token.substring(token.lastIndexOf('_') + 1));
        }
        JsonNode listed = JSON.readTree(send(first, "GET", "tokens", ADMIN_TOKEN, null).body());
        assertThat(listed.path("tokens").findValuesAsText("id")).contains(id);
        assertThat(listed.toString()).doesNotContain(token);

        // revoked through one node, refused by the other as soon as its watch fires
        HttpResponse<String> revoked = send(first, "DELETE", "tokens/" + id, ADMIN_TOKEN, null);
        assertThat(revoked.body()).contains("\"revoked\":true");
        await().atMost(Duration.ofSeconds(5)).until(() -> send(second, "GET", "cluster/status", token, null)
                .statusCode() == 403);
        assertThat(send(second, "GET", "cluster/status", token, null).body()).contains("unknown or revoked token");
        assertThat(send(first, "DELETE", "tokens/" + id, ADMIN_TOKEN, null).body()).contains("\"revoked\":false");
    }

    @Test
    void aViewerReadsAndChangesNothingAndAForgedTokenIsRefused() throws Exception {
        String viewer = issue("{\"role\":\"viewer\"}").path("token").asText();
        // issued through the first node: the second knows it once its registry watch fires
        await().atMost(Duration.ofSeconds(5)).until(() -> send(second, "GET", "cluster/status", viewer, null)
                .statusCode() == 200);
        assertThat(send(second, "POST", "deployments/calc", viewer, "{\"action\":\"retire\",\"version\":\"1.0.0\"}")
                .statusCode()).isEqualTo(403);
        // the right id with another secret
        String forged = viewer.substring(0, viewer.lastIndexOf('_') + 1) + "0".repeat(64);
        HttpResponse<String> refused = send(second, "GET", "cluster/status", forged, null);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("unknown or revoked token");
    }

    @Test
    void badTokenRequestsAreRefusedWithTheReason() throws Exception {
        HttpResponse<String> noServices = send(first, "POST", "tokens", ADMIN_TOKEN, "{\"role\":\"deployer\"}");
        assertThat(noServices.statusCode()).isEqualTo(400);
        assertThat(noServices.body()).contains("a deployer's services are a name pattern");
        HttpResponse<String> badRole = send(first, "POST", "tokens", ADMIN_TOKEN, "{\"role\":\"root\"}");
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(badRole.body()).contains("a token's role is admin, deployer or viewer");
        HttpResponse<String> scopedViewer = send(first, "POST", "tokens", ADMIN_TOKEN,
                "{\"role\":\"viewer\",\"services\":\"calc\"}");
        assertThat(scopedViewer.statusCode()).isEqualTo(400);
    }

    private static JsonNode issue(String request) throws Exception {
        HttpResponse<String> answer = send(first, "POST", "tokens", ADMIN_TOKEN, request);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static HttpResponse<String> send(VesselNode node, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + "/v1/admin/" + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
