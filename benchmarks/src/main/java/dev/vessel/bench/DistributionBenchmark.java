package dev.vessel.bench;

import dev.vessel.protocol.admin.DeploymentChange;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.deploy.AdminClient;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.itest.LargeRelease;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.HolderState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseManifest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Distributes one large artifact from the node that took the upload (the origin) to N other nodes, each a
 * separate process on loopback whose serving rate is capped by a token bucket so links, not the CPU, are the
 * limit. The same run measures peer-to-peer fetch and "every node downloads from the origin", and a single copy
 * (one node fetching alone) as the unit of time.
 *
 * <p>Arguments: releases directory, artifact MiB, serving rate MiB/s, node counts (comma-separated), modes
 * ({@code peers,origin}), chunk KiB.
 */
public final class DistributionBenchmark {
    private static final String TOKEN = "benchmark-token-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static int chunkSize;

    private DistributionBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path releases = Path.of(args[0]);
        int mib = Integer.parseInt(args[1]);
        long rate = Long.parseLong(args[2]) << 20;
        List<Integer> counts = Stream.of(args[3].split(",")).map(Integer::parseInt).toList();
        List<Boolean> modes = Stream.of(args.length > 4 ? args[4].split(",") : new String[] {"peers", "origin"})
                .map("peers"::equals).toList();
        chunkSize = (args.length > 5 ? Integer.parseInt(args[5]) : 4096) * 1024;
        Path dir = Files.createTempDirectory("vessel-dist");
        Path jar = LargeRelease.create(releases.resolve("greeter-2.0.0.jar"), dir, mib << 20, 42);
        long size = Files.size(jar);
        System.out.printf("artifact %.1f MiB in %d KiB chunks, every node serves at most %d MiB/s; %d cores%n%n",
                size / 1048576.0, chunkSize / 1024, rate >> 20, Runtime.getRuntime().availableProcessors());

        double single = run(dir, jar, 1, rate, true).seconds();
        System.out.printf("single copy (1 node fetching alone from the origin): %.2f s%n%n", single);
        System.out.println("| nodes | mode | origin egress (x artifact) | last node done (s) | x single copy"
                + " | ACTIVE everywhere (s) | x single copy | containers FAILED on the way |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int n : counts) {
            for (boolean peers : modes) {
                Result r = run(dir, jar, n, rate, peers);
                System.out.printf("| %d | %s | %.2f | %.1f | %.2f | %.1f | %.2f | %d |%n", n,
                        peers ? "peer-to-peer" : "origin only", r.originBytes() / (double) size, r.seconds(),
                        r.seconds() / single, r.activeSeconds(), r.activeSeconds() / single, r.failed().size());
                r.failed().forEach(failure -> System.out.println("  FAILED " + failure));
            }
        }
        delete(dir);
    }

    /** Origin egress, when the last node held every chunk, when every node's container was ACTIVE, failures. */
    record Result(long originBytes, double seconds, double activeSeconds, Set<String> failed) {}

    /** A fresh cluster: ZooKeeper, the origin and {@code n} fetchers; times the deploy until all hold the artifact. */
    private static Result run(Path dir, Path jar, int n, long rate, boolean peers) throws Exception {
        Path runDir = Files.createTempDirectory(dir, "run");
        List<Process> processes = new ArrayList<>();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(runDir.resolve("zk"), freePort());
                RegistryConnection registry = RegistryConnection.connect(zk.connectString())) {
            List<URI> urls = new ArrayList<>();
            for (int i = 0; i <= n; i++) {
                String id = i == 0 ? "origin" : "node-" + i;
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                        NodeProcess.class.getName(), zk.connectString(), runDir.resolve(id).toString(), id,
                        Long.toString(rate), Boolean.toString(peers), TOKEN)
                        .redirectErrorStream(true)
                        .redirectOutput(runDir.resolve(id + ".log").toFile())
                        .start();
                processes.add(p);
                urls.add(NodeProcess.awaitReady(p, runDir.resolve(id + ".log")));
            }
            AdminClient origin = new AdminClient(urls.get(0), TOKEN);
            AdminClient.Uploaded uploaded = origin.upload(jar, chunkSize, (f, s, t, b) -> { });
            ReleaseManifest release = origin.createRelease(List.of(uploaded), null, false, false, "benchmark");
            String sha = release.bundles().get(0).sha256();
            long servedBefore = served(urls.get(0));
            ArtifactHolders holders = new ArtifactHolders(registry, "benchmark");
            long start = System.nanoTime();
            long revision = origin.change(release.service(), new DeploymentChange("deploy", release.version(), 100,
                    "*", null, null, "benchmark")).revision();
            while (complete(holders.states(sha)) < n + 1) {
                Thread.sleep(20); // harness polling of the holder records; the nodes themselves are event-driven
                if (System.nanoTime() - start > 600_000_000_000L) {
                    throw new IllegalStateException("distribution did not finish in 10 minutes");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Convergence converged = origin.rollout(release.service(), revision).convergence();
            Set<String> failed = new TreeSet<>();
            while (!converged.converged()) {
                converged.nodes().stream().filter(node -> "FAILED".equals(node.state()))
                        .forEach(node -> failed.add(node.node() + ": " + node.error()));
                Thread.sleep(20);
                if (System.nanoTime() - start > 600_000_000_000L) {
                    throw new IllegalStateException("not ACTIVE everywhere in 10 minutes: " + converged);
                }
                converged = origin.rollout(release.service(), revision).convergence();
            }
            double active = (System.nanoTime() - start) / 1e9;
            Result result = new Result(served(urls.get(0)) - servedBefore, seconds, active, failed);
            stop(processes); // while ZooKeeper still runs: the nodes leave it cleanly
            return result;
        } finally {
            processes.forEach(Process::destroyForcibly);
            if (System.getProperty("keep") == null) {
                delete(runDir);
            }
        }
    }

    private static void stop(List<Process> processes) throws InterruptedException {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static long complete(Map<String, HolderState> states) {
        return states.values().stream().filter(HolderState::complete).count();
    }

    private static long served(URI node) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(node.resolve("/v1/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return new ObjectMapper().readTree(body).path("artifactBytesServed").asLong();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
