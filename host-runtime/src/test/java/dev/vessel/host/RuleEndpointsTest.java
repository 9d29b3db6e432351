package dev.vessel.host;

import static dev.vessel.host.AdminApiContractTest.assertError;
import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/admin/rules/{service}} on a real node: the node checks a rule itself (whatever sent it) and writes only
 * a valid one, conditional on the revision it was decided on; the viewer token reads rules and changes none.
 */
class RuleEndpointsTest extends SingleNodeTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String RULE = "steps:\n  - weight: 10\n    hold: 20s\n  - weight: 100\n";

    @Test
    void onlyAValidRuleIsWrittenAndOnlyOnTheRevisionItWasDecidedOn() throws Exception {
        assertError(send("POST", "/v1/admin/rules/greeter", ADMIN_TOKEN, JSON.writeValueAsString(java.util.Map.of(
                "yaml", "steps:\n  - weight: 10\n  - weight: 5\n", "by", "test"))), 422, "RULE_REFUSED",
                "nothing was written: the rule of greeter line 3: weight 5 does not rise above the step before (10)");
        assertError(send("GET", "/v1/admin/rules/greeter", ADMIN_TOKEN, null), 404, "NOT_FOUND",
                "greeter has no rollout rule");

        HttpResponse<String> written = send("POST", "/v1/admin/rules/greeter", ADMIN_TOKEN,
                JSON.writeValueAsString(java.util.Map.of("yaml", RULE, "by", "test", "expectedRevision", 0)));
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        assertThat(JSON.readTree(written.body()).path("rule").path("revision").asLong()).isEqualTo(1);
        assertError(send("POST", "/v1/admin/rules/greeter", ADMIN_TOKEN, JSON.writeValueAsString(java.util.Map.of(
                "yaml", RULE, "by", "test", "expectedRevision", 0))), 409, "CONFLICT", "is at revision 1, not 0");
        assertError(send("POST", "/v1/admin/rules/greeter", ADMIN_TOKEN, "{\"by\": \"test\"}"), 400,
                "BAD_REQUEST", "one of them");

        String viewer = ViewerToken.of(ADMIN_TOKEN);
        JsonNode read = JSON.readTree(send("GET", "/v1/admin/rules/greeter", viewer, null).body());
        assertThat(read.path("yaml").asText()).isEqualTo(RULE);
        assertThat(JSON.readTree(send("GET", "/v1/admin/rules/greeter/history", viewer, null).body())
                .path("history")).hasSize(1);
        assertError(send("POST", "/v1/admin/rules/greeter", viewer, JSON.writeValueAsString(java.util.Map.of(
                "yaml", RULE))), 403, "FORBIDDEN", "changes nothing");
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
