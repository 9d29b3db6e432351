package dev.vessel.test;

import static dev.vessel.test.VesselTestClusterTest.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.router.CallOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A frozen node looks from outside like one under SIGSTOP; a thawed one serves and registers again. */
@VesselTest(nodes = 2)
class FrozenNodeTest {
    @Test
    void aFrozenNodeAnswersNothingLosesItsRecordsAndComesBackWhenThawed(VesselTestCluster cluster) throws Exception {
        cluster.deploy("greeter", release("greeter-1.0.0"));
        cluster.await().service("greeter").hasInstances("1.0.0", 2);
        TestNode frozen = cluster.node(0);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(frozen.url().resolve("/v1/health")).timeout(Duration.ofMillis(500))
                .build();
        assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        frozen.freeze();
        assertThat(frozen.frozen()).isTrue();
        // accepted, never answered
        assertThatThrownBy(() -> http.send(health, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        // its session expires (15 s) and its instance leaves the registry; callers are served by the other node
        cluster.await().within(Duration.ofSeconds(40)).service("greeter").hasInstances("1.0.0", 1);
        for (int i = 0; i < 20; i++) {
            assertThat(cluster.client().call(CallOptions.idempotentCall(), "greeter", "[1.0,2.0)", "greeter", "greet",
                    "Ada").instanceId()).startsWith("node-2.");
        }

        frozen.thaw();
        cluster.await().service("greeter").hasInstances("1.0.0", 2);
        assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
}
