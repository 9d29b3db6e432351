package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.get;
import static dev.vessel.host.NodeTestSupport.metric;
import static dev.vessel.host.NodeTestSupport.post;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.ContainerCpu;
import dev.vessel.registry.NodeStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A release that computes beside one that answers cheaply, on a real node: with the kernel's control groups (this
 * kind of machine has a writable cgroup v1 {@code cpu} hierarchy) and with the measured fallback forced.
 */
class CpuIsolationNodeTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpRequest burn(VesselNode node, long millis) {
        return HttpRequest.newBuilder(URI.create(node.url() + "/v1/call/burner/1.0.0/burner/burn"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + millis + "]")).build();
    }

    private static ContainerCpu cpu(VesselNode node, String service) {
        return node.containers().stream().filter(c -> c.service().equals(service)).findFirst().orElseThrow().cpu();
    }

    @Nested
    class WithTheKernelsControlGroups extends SingleNodeTestBase {
        @Override
        protected NodeConfig.Builder configure(NodeConfig.Builder config) {
            return config.cpuIsolation(CpuIsolationMode.KERNEL).drainDelay(Duration.ZERO);
        }

        /** The node's group for its containers, below where this process was before its first node moved it. */
        private Path group(String container) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] fields = line.split(":", 3);
                if (fields.length == 3 && List.of(fields[1].split(",")).contains("cpu")) {
                    String pid = Long.toString(ProcessHandle.current().pid());
                    String host = "/vessel/" + pid + "/host";
                    assertThat(fields[2]).as("the process is in its host group").endsWith(host);
                    String base = fields[2].substring(0, fields[2].length() - host.length());
                    return Path.of("/sys/fs/cgroup/cpu" + base, "vessel", pid, "n-" + node.nodeId(), container);
                }
            }
            throw new AssertionError("no cpu line in /proc/self/cgroup");
        }

        @Test
        void computingCallsTakeNeitherTheNeighbourNorHealthAndTheirGroupGoesWithTheContainer() throws Exception {
            assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(dev.vessel.registry.InstanceState.ACTIVE);
            assertThat(deploy(release("burner")).state()).isEqualTo(dev.vessel.registry.InstanceState.ACTIVE);
            assertThat(node.cpuIsolation().mechanism()).isEqualTo("cgroup-v1");
            Path burnerGroup = group("burner-1.0.0");
            assertThat(burnerGroup.resolve("tasks")).isRegularFile();

            List<CompletableFuture<HttpResponse<String>>> burning = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                burning.add(HTTP.sendAsync(burn(node, 4_000), HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> cpu(node, "burner").seconds() > 0.5);
            // the call threads computing are the burner's group's, not the host's
            assertThat(Files.readAllLines(burnerGroup.resolve("tasks"))).hasSizeGreaterThanOrEqualTo(8);
            int failed = 0;
            for (int i = 0; i < 50; i++) {
                failed += post(node, "/v1/call/greeter/1.0.0/greeter/greet", "[\"Ada\"]").statusCode() == 200 ? 0 : 1;
                failed += get(node, "/v1/health").statusCode() == 200 ? 0 : 1;
            }
            assertThat(failed).as("greeter calls and health probes that failed beside 8 computing calls").isZero();
            assertThat(burning).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
            assertThat(cpu(node, "burner").seconds()).isGreaterThan(cpu(node, "greeter").seconds());
            assertThat(cpu(node, "burner").limit()).isEqualTo(Runtime.getRuntime().availableProcessors() - 0.25);

            // the node's status shows the mechanism and the container's CPU
            NodeStatus status = new ClusterReader(reader).snapshot().statuses().get(node.nodeId());
            assertThat(status.cpu().mechanism()).isEqualTo("cgroup-v1");
            // and so do /metrics and /v1/load
            String metrics = get(node, "/metrics").body();
            assertThat(metric(metrics, "vessel_container_cpu_seconds_total{rpc_service=\"burner\","
                    + "vessel_version=\"1.0.0\"}")).isGreaterThan(0.5);
            assertThat(metric(metrics, "vessel_container_allocated_bytes_total{rpc_service=\"greeter\","
                    + "vessel_version=\"1.0.0\"}")).isPositive();
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(node, "/v1/load").body())
                    .path("containers").findParents("service").stream()
                    .filter(c -> c.path("service").asText().equals("burner")).findFirst().orElseThrow()
                    .path("cpuSeconds").asDouble()).isGreaterThan(0.5);

            double used = cpu(node, "burner").seconds();
            stop("burner", "1.0.0");
            assertThat(burnerGroup).doesNotExist();
            assertThat(cpu(node, "burner").seconds()).as("what it used, kept after its group went")
                    .isGreaterThanOrEqualTo(used);
        }

        @Test
        void aLimitGivenAtDeployIsTheGroupsQuotaAndAChangedOneAppliesWhileItRuns() throws Exception {
            Release burner = release("burner");
            assertThat(desired.deploy(node, burner, 100, 0.5, 0.5).state())
                    .isEqualTo(dev.vessel.registry.InstanceState.ACTIVE);
            Path group = group("burner-1.0.0");
            assertThat(Files.readString(group.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("50000");
            assertThat(Files.readString(group.resolve("cpu.shares")).trim()).isEqualTo("512");
            assertThat(cpu(node, "burner").limit()).isEqualTo(0.5);
            assertThat(cpu(node, "burner").share()).isEqualTo(0.5);

            desired.deploy(node, burner, 100, 0, 1.0);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(group.resolve("cpu.cfs_quota_us"))
                    .trim().equals("100000"));
            assertThat(Files.readString(group.resolve("cpu.shares")).trim()).isEqualTo("1024");
        }
    }

    @Nested
    class WithTheMeasuredFallbackForced extends SingleNodeTestBase {
        @Override
        protected NodeConfig.Builder configure(NodeConfig.Builder config) {
            return config.cpuIsolation(CpuIsolationMode.MEASURED).drainDelay(Duration.ZERO);
        }

        @Test
        void aReleaseOverItsBudgetIsRefusedWithRetryElsewhereWhileItsNeighbourServes() throws Exception {
            assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(dev.vessel.registry.InstanceState.ACTIVE);
            assertThat(desired.deploy(node, release("burner"), 100, 0, 0.2).state())
                    .isEqualTo(dev.vessel.registry.InstanceState.ACTIVE);
            assertThat(node.cpuIsolation().mechanism()).isEqualTo("measured");

            AtomicBoolean running = new AtomicBoolean(true);
            LongAdder refusedForCpu = new LongAdder();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Thread caller = new Thread(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> answer = HTTP.send(burn(node, 100),
                                    HttpResponse.BodyHandlers.ofString());
                            if (answer.statusCode() == 503) {
                                assertThat(answer.headers().firstValue("Vessel-Retry")).hasValue("other");
                                assertThat(answer.body()).contains("OVERLOADED").contains("CPU");
                                refusedForCpu.increment();
                            }
                        } catch (IOException | InterruptedException e) {
                            return;
                        }
                    }
                });
                caller.start();
                callers.add(caller);
            }
            int failed = 0;
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> refusedForCpu.sum() > 0);
                for (int i = 0; i < 50; i++) {
                    failed += post(node, "/v1/call/greeter/1.0.0/greeter/greet", "[\"Ada\"]").statusCode() == 200
                            ? 0 : 1;
                }
            } finally {
                running.set(false);
                for (Thread caller : callers) {
                    caller.join();
                }
            }
            assertThat(failed).as("greeter calls refused or failed beside a burner over its budget").isZero();
            assertThat(cpu(node, "burner").refused()).isEqualTo(refusedForCpu.sum());
            assertThat(metric(get(node, "/metrics").body(), "vessel_call_refusals_total{reason=\"OVER_CPU_BUDGET\","
                    + "rpc_service=\"burner\",vessel_version=\"1.0.0\"}")).isEqualTo(refusedForCpu.sum());
            assertThat(cpu(node, "greeter").refused()).isZero();
        }
    }
}
