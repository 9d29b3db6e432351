package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.call;
import static dev.vessel.host.NodeTestSupport.get;
import static dev.vessel.host.NodeTestSupport.metric;
import static dev.vessel.host.NodeTestSupport.post;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.InstanceState;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: Prometheus text from client_java, counting what really happened, with bounded labels. */
class NodeMetricsTest extends SingleNodeTestBase {

    @Test
    void callsRefusalsContainersAndTheRegistryAreCountedWithLabelsNoCallerCanInvent() throws Exception {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(deploy(release("greeter-2.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        for (int i = 0; i < 3; i++) {
            assertThat(call(node, "1.0.0", "greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
        }
        assertThat(call(node, "2.0.0", "greet", "[\"Ada\",\"xx\"]").statusCode()).isEqualTo(500);
        assertThat(call(node, "1.0.0", "invented-method-7f3a", "[]").statusCode()).isEqualTo(404);
        assertThat(post(node, "/v1/call/invented-service-7f3a/1.0.0/greeter/greet", "[]").statusCode())
                .isEqualTo(404);
        assertThat(post(node, "/v1/call/greeter/9.9.9/greeter/greet", "[]").statusCode()).isEqualTo(404);

        // a start is counted by the reconciler once start() returned, a moment after the node shows the state
        HttpResponse<String> scrape = await().atMost(Duration.ofSeconds(10)).until(() -> get(node, "/metrics"),
                answer -> metric(answer.body(), "vessel_container_start_duration_seconds_count{outcome=\"active\"}")
                        == 2);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/plain; version=0.0.4"));
        String metrics = scrape.body();

        assertThat(metric(metrics, "rpc_server_call_duration_seconds_count{outcome=\"OK\","
                + "rpc_method=\"greeter.greet\",rpc_service=\"greeter\",vessel_version=\"1.0.0\"}")).isEqualTo(3);
        assertThat(metric(metrics, "rpc_server_call_duration_seconds_bucket{outcome=\"OK\","
                + "rpc_method=\"greeter.greet\",rpc_service=\"greeter\",vessel_version=\"1.0.0\",le=\"+Inf\"}"))
                .isEqualTo(3);
        assertThat(metric(metrics, "rpc_server_call_duration_seconds_count{outcome=\"METHOD_THREW\","
                + "rpc_method=\"greeter.greet\",rpc_service=\"greeter\",vessel_version=\"2.0.0\"}")).isEqualTo(1);
        assertThat(metric(metrics, "rpc_server_call_duration_seconds_count{outcome=\"UNKNOWN_METHOD\","
                + "rpc_method=\"_unknown\",rpc_service=\"greeter\",vessel_version=\"1.0.0\"}")).isEqualTo(1);
        assertThat(metric(metrics, "vessel_call_refusals_total{reason=\"UNKNOWN_SERVICE\",rpc_service=\"_unknown\","
                + "vessel_version=\"_unknown\"}")).isEqualTo(1);
        assertThat(metric(metrics, "vessel_call_refusals_total{reason=\"UNKNOWN_VERSION\",rpc_service=\"greeter\","
                + "vessel_version=\"_unknown\"}")).isEqualTo(1);
        assertThat(metrics).as("what a caller sent never becomes a label").doesNotContain("invented")
                .doesNotContain("9.9.9");

        assertThat(metric(metrics, "vessel_containers{state=\"ACTIVE\"}")).isEqualTo(2);
        assertThat(metric(metrics, "vessel_containers{state=\"FAILED\"}")).isEqualTo(0);
        assertThat(metric(metrics, "vessel_calls_in_flight{rpc_service=\"greeter\",vessel_version=\"1.0.0\"}"))
                .isEqualTo(0);
        assertThat(metric(metrics, "vessel_container_start_duration_seconds_count{outcome=\"active\"}"))
                .isEqualTo(2);
        assertThat(metric(metrics, "vessel_zookeeper_connected")).isEqualTo(1);
        assertThat(metric(metrics, "vessel_zookeeper_connection_events_total{event=\"CONNECTED\"}")).isEqualTo(1);
        assertThat(metric(metrics, "vessel_artifact_served_bytes_total")).isEqualTo(0);
        assertThat(metrics).contains("jvm_memory_used_bytes{area=\"heap\"}").contains("# TYPE jvm_threads_current");
        assertThat(metric(metrics, "jvm_threads_current")).isPositive();
        assertThat(metrics).as("no scan of every thread on a scrape anyone may make, no JVM build for strangers")
                .doesNotContain("jvm_threads_state").doesNotContain("jvm_threads_deadlocked")
                .doesNotContain("jvm_runtime_info");
    }

    /** ZooKeeper down and back: the gauge follows the session and each change is counted once. */
    @Test
    void aZooKeeperOutageShowsInTheConnectionGaugeAndEvents() throws Exception {
        zk.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> metric(get(node, "/metrics").body(),
                "vessel_zookeeper_connected") == 0);
        String during = get(node, "/metrics").body();
        assertThat(metric(during, "vessel_zookeeper_connection_events_total{event=\"SUSPENDED\"}")).isEqualTo(1);
        zk.restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> metric(get(node, "/metrics").body(),
                "vessel_zookeeper_connected") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(get(node, "/metrics").body(),
                "vessel_zookeeper_connection_events_total{event=\"RECONNECTED\"}") == 1);
        assertThat(metric(get(node, "/metrics").body(),
                "vessel_zookeeper_connection_events_total{event=\"CONNECTED\"}")).isEqualTo(1);
    }

    @Test
    void aContainerThatFailsToStartIsCountedAsFailed() throws Exception {
        assertThat(deploy(release("broken-activator")).state()).isEqualTo(InstanceState.FAILED);
        // a start is counted by the reconciler once start() returned, a moment after the node shows the state
        String metrics = await().atMost(Duration.ofSeconds(10)).until(() -> get(node, "/metrics").body(),
                body -> metric(body, "vessel_container_start_duration_seconds_count{outcome=\"failed\"}") != -1);
        assertThat(metric(metrics, "vessel_container_start_duration_seconds_count{outcome=\"failed\"}")).isEqualTo(1);
        assertThat(metric(metrics, "vessel_containers{state=\"FAILED\"}")).isEqualTo(1);
    }
}
