package dev.vessel.bench.config;

import dev.vessel.bench.ReleaseCopies;
import dev.vessel.host.ContainerInfo;
import dev.vessel.bench.LocalReleases;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.internal.RecordJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.test.TestingServer;

/**
 * From a new configuration revision in the registry to every container of the service having applied it, and
 * to every container's acknowledgement in its node's status record (what {@code vessel config set} waits for).
 * Real nodes in this process on loopback, a real ZooKeeper; the configurable greeter in several versions (copies
 * of its jar with other {@code Bundle-Version}s) on every node. Two shapes: 3 nodes x 3 versions, and 4 nodes x 25
 * versions (100 containers). Anchor in the same run: a bare ZooKeeper change seen by a {@code CuratorCache} in
 * another session (the floor any watch-based propagation has). Throughout the 3 x 3 shape, two threads call the
 * greeter on every container without pause; every failed call counts, and no container may restart.
 *
 * <p>Usage: {@code ConfigurationBenchmark <releases dir> [rounds=50]}.
 */
public final class ConfigurationBenchmark {
    private static final String SERVICE = "configurable-greeter";
    private static final String PID = "dev.vessel.sample.configurable.greeting";

    private ConfigurationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path releases = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path dir = Files.createTempDirectory("vessel-config-bench");
        System.out.println("| nodes x versions | containers | measured | rounds | p50 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|");
        run(dir.resolve("small"), releases, 3, 3, rounds, true);
        run(dir.resolve("large"), releases, 4, 25, Math.min(rounds, 20), false);
    }

    private static void run(Path dir, Path releases, int nodeCount, int versions, int rounds, boolean load)
            throws Exception {
        List<Path> jars = new ArrayList<>();
        for (int v = 0; v < versions; v++) {
            jars.add(ReleaseCopies.withVersion(releases.resolve(SERVICE + ".jar"), dir.resolve("jars"), "1." + v + ".0"));
        }
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection admin = RegistryConnection.connect(zk.getConnectString());
                RegistryConnection anchorSession = RegistryConnection.connect(zk.getConnectString())) {
            List<VesselNode> nodes = new ArrayList<>();
            try {
                for (int n = 1; n <= nodeCount; n++) {
                    nodes.add(LocalReleases.start(NodeConfig.builder(zk.getConnectString(), dir.resolve("n" + n))
                            .nodeId("n" + n).port(0).readyTimeout(Duration.ofSeconds(30)), jars,
                            Duration.ofMinutes(5)));
                }
                measure(nodes, admin, anchorSession, versions, rounds, load);
            } finally {
                nodes.forEach(VesselNode::close);
            }
        }
    }

    private static void measure(List<VesselNode> nodes, RegistryConnection admin, RegistryConnection anchorSession,
            int versions, int rounds, boolean load) throws Exception {
        int containers = nodes.size() * versions;
        ConfigurationStore store = new ConfigurationStore(admin);
        List<Long> since = startTimes(nodes);
        Load calls = load ? new Load(nodes, versions) : null;
        if (calls != null) {
            calls.start();
        }
        long[] applied = new long[rounds];
        long[] acknowledged = new long[rounds];
        long[] anchor = new long[rounds];
        long[] anchorSeen = new long[1];
        String anchorPath = "/bench-anchor";
        admin.curator().create().orSetData().forPath(anchorPath, new byte[] {0});
        try (CuratorCache cache = CuratorCache.build(anchorSession.curator(), anchorPath)) {
            cache.listenable().addListener(CuratorCacheListener.builder().forChanges((before, after) -> {
                synchronized (anchorSeen) {
                    anchorSeen[0] = System.nanoTime();
                    anchorSeen.notifyAll();
                }
            }).build());
            cache.start();
            long revision = store.read(SERVICE).revision();
            for (int warm = -3; warm < rounds; warm++) {
                long start = System.nanoTime();
                revision = store.write(SERVICE, revision, Map.of(PID, Map.of("salutation", "Round " + warm,
                        "emphasis", Math.floorMod(warm, 5))), "benchmark", "round " + warm).revision();
                long appliedAt = awaitApplied(nodes, revision, containers) - start;
                long acknowledgedAt = awaitAcknowledged(admin, nodes, revision, containers) - start;
                long anchorStart;
                synchronized (anchorSeen) {
                    anchorSeen[0] = 0;
                    anchorStart = System.nanoTime();
                    admin.curator().setData().forPath(anchorPath, new byte[] {(byte) warm});
                    long deadline = anchorStart + TimeUnit.SECONDS.toNanos(10);
                    while (anchorSeen[0] == 0 && System.nanoTime() < deadline) {
                        anchorSeen.wait(10);
                    }
                }
                if (warm >= 0) {
                    applied[warm] = appliedAt;
                    acknowledged[warm] = acknowledgedAt;
                    anchor[warm] = anchorSeen[0] - anchorStart;
                }
            }
        }
        String shape = nodes.size() + " x " + versions;
        row(shape, containers, "applied in every container", applied);
        row(shape, containers, "acknowledged in every status record", acknowledged);
        row(shape, containers, "anchor: bare ZooKeeper change seen by a CuratorCache", anchor);
        if (calls != null) {
            calls.stop();
            System.out.printf(Locale.ROOT, "calls during the %d changes: %d, failed: %d; containers restarted: %s%n",
                    rounds + 3, calls.calls.sum(), calls.failed.sum(), !startTimes(nodes).equals(since));
        }
    }

    private static List<Long> startTimes(List<VesselNode> nodes) {
        return nodes.stream().flatMap(n -> n.containers().stream()).map(ContainerInfo::since).sorted().toList();
    }

    private static long awaitApplied(List<VesselNode> nodes, long revision, int containers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long done = nodes.stream().flatMap(n -> n.containers().stream())
                    .filter(c -> c.configRevision() >= revision).count();
            if (done >= containers) {
                return System.nanoTime();
            }
            Thread.sleep(0, 200_000); // the harness's poll of in-process snapshots
        }
        throw new IllegalStateException("revision " + revision + " not applied everywhere within 30 s");
    }

    private static long awaitAcknowledged(RegistryConnection admin, List<VesselNode> nodes, long revision,
            int containers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long done = 0;
            for (VesselNode node : nodes) {
                NodeStatus status = RecordJson.read(admin.curator().getData().forPath(admin.layout()
                        .status(node.nodeId())), NodeStatus.class);
                done += status.containers().stream().filter(c -> c.configRevision() >= revision).count();
            }
            if (done >= containers) {
                return System.nanoTime();
            }
            Thread.sleep(1); // what `vessel config set` does, more often
        }
        throw new IllegalStateException("revision " + revision + " not acknowledged everywhere within 30 s");
    }

    private static void row(String shape, int containers, String what, long[] samples) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %d | %.1f | %.1f | %.1f |%n", shape, containers, what,
                sorted.length, sorted[sorted.length / 2] / 1e6,
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    /** Two threads calling greet on random containers over HTTP without pause. */
    private static final class Load {
        private final List<VesselNode> nodes;
        private final int versions;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        final LongAdder calls = new LongAdder();
        final LongAdder failed = new LongAdder();
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Load(List<VesselNode> nodes, int versions) {
            this.nodes = nodes;
            this.versions = versions;
        }

        void start() {
            for (int t = 0; t < 2; t++) {
                Thread thread = new Thread(this::loop, "config-bench-load-" + t);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
        }

        private void loop() {
            while (running.get()) {
                VesselNode node = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
                String version = "1." + ThreadLocalRandom.current().nextInt(versions) + ".0";
                URI uri = node.url().resolve("/v1/call/" + SERVICE + "/" + version + "/greeter/greet");
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[\"Ada\"]")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        failed.increment();
                    }
                } catch (IOException e) {
                    failed.increment();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                calls.increment();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }
}
