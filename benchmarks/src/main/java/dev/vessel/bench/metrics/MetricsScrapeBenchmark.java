package dev.vessel.bench.metrics;

import dev.vessel.bench.ReleaseCopies;
import dev.vessel.bench.LocalReleases;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.curator.test.TestingServer;

/**
 * How long {@code GET /metrics} takes on a node with many containers, each of which has answered calls (so each
 * has its call histogram), over real HTTP on loopback; against {@code GET /v1/health} of the same node in the same
 * run (the same server path with a small JSON body). Sequential requests, after 50 uncounted ones each.
 *
 * <p>Usage: {@code MetricsScrapeBenchmark <releases dir> [containers=100] [requests=200]}.
 */
public final class MetricsScrapeBenchmark {
    private static final String SERVICE = "configurable-greeter";

    private MetricsScrapeBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path releases = Path.of(args[0]);
        int containers = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Path dir = Files.createTempDirectory("vessel-metrics-bench");
        HttpClient http = HttpClient.newHttpClient();
        List<Path> jars = new ArrayList<>();
        for (int v = 0; v < containers; v++) {
            jars.add(ReleaseCopies.withVersion(releases.resolve(SERVICE + ".jar"), dir.resolve("jars"), "1." + v + ".0"));
        }
        try (TestingServer zk = new TestingServer(true);
                VesselNode node = LocalReleases.start(NodeConfig.builder(zk.getConnectString(), dir.resolve("node"))
                        .nodeId("bench").port(0).readyTimeout(Duration.ofSeconds(30)), jars, Duration.ofMinutes(5))) {
            for (int v = 0; v < containers; v++) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(node.url().resolve("/v1/call/" + SERVICE
                        + "/1." + v + ".0/greeter/greet")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("[\"Ada\"]"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("call to 1." + v + ".0 answered " + answer.statusCode());
                }
            }
            URI metrics = node.url().resolve("/metrics");
            URI health = node.url().resolve("/v1/health");
            String body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            long series = body.lines().filter(l -> !l.startsWith("#")).count();
            System.out.printf(Locale.ROOT, "containers: %d, /metrics: %d bytes, %d series%n", containers,
                    body.length(), series);
            System.out.println("| request | requests | p50 ms | p90 ms | p99 ms | max ms |");
            System.out.println("|---|---|---|---|---|---|");
            report("GET /metrics", time(http, metrics, requests));
            report("GET /v1/health (anchor)", time(http, health, requests));
        }
    }

    private static long[] time(HttpClient http, URI uri, int requests) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).build();
        for (int i = 0; i < 50; i++) {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        }
        long[] nanos = new long[requests];
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<Void> answer = http.send(request, HttpResponse.BodyHandlers.discarding());
            nanos[i] = System.nanoTime() - start;
            if (answer.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered " + answer.statusCode());
            }
        }
        return nanos;
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", what, sorted.length,
                at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }
}
