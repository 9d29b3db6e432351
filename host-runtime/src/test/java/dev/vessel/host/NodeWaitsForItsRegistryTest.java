package dev.vessel.host;

import static dev.vessel.host.AdminApiContractTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.RegistryUnreachableException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started while its registry is unreachable (restarted during an outage): it answers on its port at once,
 * "not yet" ({@code 503}, and {@code Vessel-Retry: other} for calls, so routers move them), waits, and serves once
 * the registry is there; given a limit, it fails with the registry's address once the limit passes.
 */
class NodeWaitsForItsRegistryTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path data;

    @Test
    void aNodeWithoutItsRegistryAnswersNotYetAndServesOnceTheRegistryIsThere() throws Exception {
        int zkPort = freePort();
        int port = freePort();
        NodeConfig config = NodeTestSupport.config("127.0.0.1:" + zkPort, data).port(port)
                .registryWait(Duration.ZERO).build();
        CompletableFuture<VesselNode> starting = CompletableFuture.supplyAsync(() -> VesselNode.start(config));
        URI node = URI.create("http://127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> health = send(HttpRequest.newBuilder(node.resolve("/v1/health")).GET());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"status\":\"STARTING\"");
        });
        HttpResponse<String> call = send(HttpRequest.newBuilder(node.resolve("/v1/call/greeter/1.0.0/greeter/greet"))
                .POST(HttpRequest.BodyPublishers.ofString("[\"Ada\"]")));
        assertError(call, 503, "UNAVAILABLE", "serves nothing yet");
        assertThat(call.headers().firstValue("Vessel-Retry")).hasValue("other");
        assertThat(starting).as("still waiting for the registry").isNotDone();

        try (TestingServer zk = new TestingServer(zkPort, true);
                VesselNode started = starting.get(60, TimeUnit.SECONDS)) {
            assertThat(started.port()).isEqualTo(port);
            HttpResponse<String> health = send(HttpRequest.newBuilder(node.resolve("/v1/health")).GET());
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        }
    }

    @Test
    void aNodeGivenALimitFailsNamingItsRegistryOnceTheLimitPasses() throws Exception {
        int zkPort = freePort();
        NodeConfig config = NodeTestSupport.config("127.0.0.1:" + zkPort, data).registryWait(Duration.ofSeconds(1))
                .build();
        assertThatThrownBy(() -> VesselNode.start(config)).isInstanceOf(RegistryUnreachableException.class)
                .hasMessageContaining("could not reach ZooKeeper at 127.0.0.1:" + zkPort);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
