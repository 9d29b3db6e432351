package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.get;
import static dev.vessel.host.NodeTestSupport.post;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each container runs its calls on a bulkhead of its own: a saturated release never takes another's threads. */
class ContainerBulkheadTest extends SingleNodeTestBase {
    private static final int LIMIT = 4;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    protected NodeConfig.Builder configure(NodeConfig.Builder config) {
        return config.maxConcurrency(LIMIT).drainTimeout(Duration.ofMillis(200)).drainDelay(Duration.ZERO);
    }

    @BeforeEach
    void deployBoth() {
        assertThat(deploy(release("greeter-1.0.0")).state().name()).isEqualTo("ACTIVE");
        assertThat(deploy(release("sleeper")).state().name()).isEqualTo("ACTIVE");
    }

    @Test
    void aSaturatedContainerRefusesPastItsLimitsWhileItsNeighbourAndHealthServe() throws Exception {
        int flood = 20;
        List<CompletableFuture<HttpResponse<String>>> sleeping = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
            sleeping.add(HTTP.sendAsync(callRequest("sleeper", "sleep", "[20000]"),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // LIMIT run and LIMIT wait; every other call is refused at once, unexecuted
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sleeping.stream().filter(CompletableFuture::isDone).count() >= flood - 2 * LIMIT);
        List<HttpResponse<String>> refused = sleeping.stream().filter(CompletableFuture::isDone)
                .map(CompletableFuture::join).toList();
        assertThat(refused).hasSize(flood - 2 * LIMIT).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Vessel-Retry")).hasValue("other");
            assertThat(answer.body()).contains("\"error\":\"OVERLOADED\"");
        });

        // meanwhile the neighbour and health answer, and not one sleeping call has finished
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> greeting = post(node, "/v1/call/greeter/1.0.0/greeter/greet", "[\"Ada\"]");
            assertThat(greeting.statusCode()).isEqualTo(200);
        }
        assertThat(get(node, "/v1/health").statusCode()).isEqualTo(200);
        assertThat(sleeping.stream().filter(CompletableFuture::isDone).count()).isEqualTo(flood - 2 * LIMIT);
        assertThat(node.containers()).filteredOn(c -> c.service().equals("sleeper"))
                .singleElement().satisfies(c -> assertThat(c.overloaded()).isEqualTo(flood - 2 * LIMIT));
    }

    @Test
    void bundleCodeRunsOnTheContainersOwnThreadsNeverOnJettys() throws Exception {
        HttpResponse<String> answer = post(node, "/v1/call/sleeper/1.0.0/sleeper/thread", "[]");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("\"vessel-call-sleeper-1.0.0-");
    }

    @Test
    void workWhoseDeadlineHasPassedIsRefusedUnexecuted() throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(
                        node.url().resolve("/v1/call/sleeper/1.0.0/sleeper/thread"))
                .header("Vessel-Deadline-Ms", "0").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[]")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(504);
        assertThat(answer.body()).contains("\"error\":\"DEADLINE_EXCEEDED\"");
        assertThat(answer.headers().firstValue("Vessel-Retry")).hasValue("other");
    }

    private HttpRequest callRequest(String service, String method, String body) {
        return HttpRequest.newBuilder(node.url().resolve("/v1/call/" + service + "/1.0.0/" + service + "/" + method))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
