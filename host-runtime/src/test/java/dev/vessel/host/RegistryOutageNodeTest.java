package dev.vessel.host;

import static dev.vessel.host.AdminApiContractTest.assertError;
import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.InstanceState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.Test;

/**
 * A node whose ZooKeeper server is gone past every session, then back: while it is away the containers keep
 * running and serving, and every admin request that needs the registry is refused at once with {@code 503
 * REGISTRY_UNAVAILABLE}, changing nothing; once it is back the same request works.
 */
class RegistryOutageNodeTest extends SingleNodeTestBase {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Far below Curator's retries (tens of seconds): what "refused at once" is held to, as a request deadline. */
    private static final Duration FAST = Duration.ofSeconds(8);

    @Test
    void whileTheRegistryIsAwayNothingChangesAndChangesAreRefusedAtOnce() throws Exception {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(deploy(release("greeter-1.1.0")).state()).isEqualTo(InstanceState.ACTIVE);
        Map<String, Long> startedBefore = started();
        CountDownLatch sessionsLost = new CountDownLatch(1);
        reader.curator().getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.LOST) {
                sessionsLost.countDown();
            }
        });

        zk.stop();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertError(admin("GET",
                    "/v1/admin/cluster/status", null), 503, "REGISTRY_UNAVAILABLE", "registry unavailable"));
            assertError(admin("POST", "/v1/admin/deployments/greeter", "{\"action\": \"retire\", \"version\":"
                    + " \"1.0.0\"}"), 503, "REGISTRY_UNAVAILABLE", "nothing was read or changed");
            assertError(admin("POST", "/v1/admin/configurations/greeter", "{\"properties\": {\"greeting\":"
                    + " \"Hi\"}}"), 503, "REGISTRY_UNAVAILABLE", "no ZooKeeper session (" + zk.getConnectString());
            assertError(admin("GET", "/v1/admin/deployments/greeter", null), 503, "REGISTRY_UNAVAILABLE",
                    "unreachable since");

            // past every session: the node's old one is gone with the server's
            assertThat(sessionsLost.await(60, TimeUnit.SECONDS)).as("the sessions were lost").isTrue();
            for (String version : new String[] {"1.0.0", "1.1.0"}) {
                HttpResponse<String> answer = NodeTestSupport.call(node, version, "greet", "[\"Ada\"]");
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            }
            assertThat(started()).as("no container stopped or started").isEqualTo(startedBefore);
        } finally {
            zk.restart();
        }

        // back: the refused change is made now, and only now
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin("POST",
                "/v1/admin/deployments/greeter", "{\"action\": \"retire\", \"version\": \"1.0.0\"}").statusCode())
                .isEqualTo(200));
        await().atMost(Duration.ofSeconds(30)).until(() -> node.containers().stream()
                .noneMatch(c -> c.id().equals("greeter-1.0.0") && c.state() == InstanceState.ACTIVE));
        assertThat(started().get("greeter-1.1.0")).isEqualTo(startedBefore.get("greeter-1.1.0"));
    }

    /** When each ACTIVE container became ACTIVE, by id. */
    private Map<String, Long> started() {
        return node.containers().stream().filter(c -> c.state() == InstanceState.ACTIVE)
                .collect(Collectors.toMap(ContainerInfo::id, ContainerInfo::since));
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(FAST)
                        .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
