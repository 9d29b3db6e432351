package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.deploy.AdminException;
import dev.vessel.deploy.Rollout;
import dev.vessel.deploy.RuleRollout;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.RolloutStore;
import dev.vessel.router.VesselClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gate measured by the user's Prometheus (Debian's {@code prometheus}, scraping the nodes' {@code /metrics}; .ci/run
 * installs it): a rule whose query fails or has no series is refused with nothing written, and a faulty release is
 * rolled back on the query's value.
 */
class PrometheusGateTest {
    private static final Path PROMETHEUS = Path.of(System.getProperty("vessel.prometheus", "/usr/bin/prometheus"));

    @TempDir
    Path data;

    @Test
    void aQueryGateIsCheckedBeforeItGoesOnlineAndRollsAFaultyReleaseBack() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "SKIPPED: the Prometheus gate test needs "
                + PROMETHEUS + " (Debian package prometheus; .ci/run installs it with apt-get)");
        try (DeployCluster cluster = new DeployCluster(data, 2);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            assertThat(cluster.deploy("greeter-1.1.0", 100, false).ok()).isTrue();
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path config = Files.writeString(data.resolve("prometheus.yml"), "scrape_configs:\n"
                    + "  - job_name: vessel\n    scrape_interval: 1s\n    static_configs:\n      - targets: ["
                    + cluster.nodes().stream().map(n -> "'127.0.0.1:" + n.port() + "'")
                            .collect(Collectors.joining(", ")) + "]\n");
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + data.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(data.resolve("prometheus.log").toFile()).start();
            try {
                URI api = URI.create("http://127.0.0.1:" + port);
                HttpClient http = HttpClient.newHttpClient();
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(HttpRequest
                        .newBuilder(api.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200);
                // "or vector(0)": the canary has no failure series before its first call, and a gate whose query
                // returns no series is refused; so the gate reads 0 until Prometheus has scraped two samples of it,
                // which the step's hold leaves time for
                String failures = "sum(rate(rpc_server_call_duration_seconds_count{rpc_service=\"{{service}}\","
                        + "vessel_version=\"{{canary}}\",outcome!=\"OK\"}[10s])) or vector(0)";
                String rule = rule(api, failures);

                // refused before anything is written: a query Prometheus cannot parse, and one without series
                long revision = new DeploymentStore(cluster.registry()).read("greeter").revision();
                assertThatThrownBy(() -> start(cluster, rule(api, "sum(rate(nope[10s]")))
                        .isInstanceOf(AdminException.class).hasMessageContaining("Prometheus refused the query")
                        .extracting(e -> ((AdminException) e).code()).isEqualTo("RULE_REFUSED");
                assertThatThrownBy(() -> start(cluster, rule(api, "rpc_server_call_duration_seconds_count{"
                        + "rpc_service=\"nothing-like-it\"}")))
                        .isInstanceOf(AdminException.class).hasMessageContaining("the query returned no series");
                assertThat(new RolloutStore(cluster.registry()).read("greeter")).isEmpty();
                assertThat(new DeploymentStore(cluster.registry()).read("greeter").revision()).isEqualTo(revision);

                SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)");
                load.start();
                RolloutRecord ended;
                try {
                    start(cluster, rule);
                    ended = await().atMost(Duration.ofSeconds(90)).until(() -> new RolloutStore(cluster.registry())
                            .read("greeter").orElseThrow().record(), r -> r.phase().ended());
                } finally {
                    load.stop();
                }
                assertThat(ended.phase()).as(ended.outcome()).isEqualTo(RolloutRecord.Phase.ROLLED_BACK);
                assertThat(ended.outcome()).startsWith("rolled back: query sum(rate(rpc_server_call_duration_seconds"
                        + "_count{rpc_service=\"greeter\",vessel_version=\"1.2.0\"").contains("> max 0.5");
                assertThat(new DeploymentStore(cluster.registry()).read("greeter").versions())
                        .extracting(DeployedVersion::version).containsExactly("1.1.0");
                assertThat(load.failures()).allSatisfy(f -> assertThat(f).contains("fails every third call"));
            } finally {
                prometheus.destroy();
                prometheus.waitFor();
            }
        }
    }

    private static String rule(URI prometheus, String query) {
        return """
                steps:
                  - weight: 50
                    hold: 15s
                  - weight: 100
                analysis:
                  interval: 2s
                  window: 4s
                  minCalls: 5
                  onNoData: hold
                  failureLimit: 1
                  prometheus: %s
                  gates:
                    - query: '%s'
                      max: 0.5
                """.formatted(prometheus, query);
    }

    private static void start(DeployCluster cluster, String rule) throws InterruptedException {
        cluster.rollout().deploy(new Rollout.Request(List.of(SampleReleases.bundle("greeter-faulty")), null, 100,
                false, DeployedVersion.ALL_NODES, false, false, false, Duration.ofSeconds(60), "itest"),
                new RuleRollout.Choice.Given(rule, "prometheus.yaml"), null, null);
    }
}
