package dev.vessel.bench.rollout;

import dev.vessel.bench.NodeProcess;
import dev.vessel.deploy.AdminClient;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.protocol.admin.RolloutAction;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.RolloutRecord.Phase;
import dev.vessel.registry.RolloutStore;
import dev.vessel.router.VesselClient;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Rollouts under the example rule of issue 24 (steps 10 % and 50 % held 20 s each, then 100 %; evaluated every 5 s
 * over 20 s; error rate at most 0.05; p99 at most 1.5 times the baseline's), on 3 node processes and an embedded
 * ZooKeeper, with the public {@code VesselClient} calling from this process. Every call is recorded with its time,
 * the version that answered it, and whether it failed.
 *
 * <ul>
 *   <li>{@code bad RELEASE} (greeter-faulty: throws on every third call; greeter-slow: 25 ms late) over greeter
 *       1.1.0: from the canary's first bad call (its first failure, or for the slow one its first answer) to the
 *       decision, against interval + window; the last client call that reached the canary after the decision;
 *       failed calls before and after it.</li>
 *   <li>{@code good}: greeter 1.1.0 over 1.0.0: failed calls, and the time from step 1 to the promotion against
 *       the holds' 40 s.</li>
 *   <li>{@code driver}: the node that drives the rollouts killed with SIGKILL during step 1: how long until
 *       another node makes the rollout's next evaluation, and that it still ends promoted.</li>
 *   <li>{@code many N}: N services rolling out at once (odd ones greeter-faulty, even ones greeter 1.1.0): each
 *       outcome, and the CPU seconds of the driving node against the others over the rollouts.</li>
 * </ul>
 */
public final class RolloutBenchmark {
    static final String TOKEN = "benchmark-token-0123456789abcdef";
    static final String RULE = """
            # promote in three steps; roll back as soon as the canary is clearly worse than the version it replaces
            steps:
              - weight: 10
                hold: 20s
              - weight: 50
                hold: 20s
              - weight: 100
            analysis:
              interval: 5s        # how often the gates are evaluated
              window: 20s         # the calls each evaluation looks at
              minCalls: 20        # fewer canary calls than this in the window: no data
              onNoData: hold      # hold | fail | pass
              failureLimit: 1     # failed evaluations before the rollout is rolled back
              gates:
                - metric: error-rate         # failed calls / calls of the canary in the window
                  max: 0.05
                - metric: latency-p99        # of the canary, against the baseline's in the same window
                  maxVsBaseline: 1.5
            """;

    private RolloutBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path releases = Path.of(args[0]);
        Path dir = Files.createTempDirectory("vessel-rollout-bench");
        switch (args[1]) {
            case "bad" -> bad(dir, releases, args.length > 2 ? args[2] : "greeter-faulty",
                    args.length > 3 ? Integer.parseInt(args[3]) : 1);
            case "good" -> good(dir, releases, args.length > 2 ? Integer.parseInt(args[2]) : 1);
            case "driver" -> driver(dir, releases);
            case "many" -> many(dir, releases, args.length > 2 ? Integer.parseInt(args[2]) : 20);
            default -> throw new IllegalArgumentException("bad|good|driver|many");
        }
        System.exit(0);
    }

    private static void bad(Path dir, Path releases, String release, int runs) throws Exception {
        System.out.println("| run | release | calls/s | first bad call -> decision s | interval + window s | last call"
                + " to canary after decision ms | failed before decision | failed after | outcome |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int run = 1; run <= runs; run++) {
            try (Cluster cluster = new Cluster(dir.resolve("bad-" + run), 3)) {
                cluster.deploy(releases.resolve("greeter-1.1.0.jar"), "greeter");
                try (VesselClient client = VesselClient.connect(cluster.zk.connectString())) {
                    cluster.awaitInstances(client, "greeter", 3);
                    TimedLoad load = new TimedLoad(client, "greeter", 4, 5);
                    Thread.sleep(3_000); // steady load first
                    long start = System.currentTimeMillis();
                    String canary = cluster.startRollout(releases.resolve(release + ".jar"), "greeter");
                    StateWatch withdrawn = new StateWatch(cluster.urls, "greeter", canary);
                    RolloutRecord ended = cluster.awaitEnded("greeter", Duration.ofMinutes(3));
                    Thread.sleep(3_000); // calls after the decision, to see none reach the canary
                    load.stop();
                    List<TimedLoad.Call> calls = load.calls();
                    long decided = ended.endedAt();
                    long firstBad = calls.stream().filter(c -> c.at() >= start && (c.failure() != null
                            || canary.equals(c.version()) && release.contains("slow")))
                            .mapToLong(TimedLoad.Call::at).min().orElse(-1);
                    long lastToCanary = calls.stream().filter(c -> canary.equals(c.version())
                            || c.failure() != null && c.failure().contains(canary))
                            .mapToLong(TimedLoad.Call::at).max().orElse(-1);
                    long failedBefore = calls.stream().filter(c -> c.failure() != null && c.at() <= decided).count();
                    long failedAfter = calls.stream().filter(c -> c.failure() != null && c.at() > decided).count();
                    double seconds = (calls.get(calls.size() - 1).at() - calls.get(0).at()) / 1000.0;
                    withdrawn.stop();
                    long written = new dev.vessel.registry.DeploymentStore(cluster.registry).read("greeter").history()
                            .stream().filter(r -> r.action().contains("rolled back")).findFirst().orElseThrow().at();
                    System.err.println("decision " + decided + ", desired state written +" + (written - decided)
                            + " ms, nodes stopped taking calls at +" + withdrawn.firstSeen().entrySet().stream()
                            .map(e -> e.getKey() + " " + (e.getValue() - decided) + " ms").toList());
                    calls.stream().filter(c -> c.failure() != null && c.at() > decided).limit(5).forEach(c -> System.err
                            .println("failed " + (c.at() - decided) + " ms after the decision: " + c.failure()));
                    System.out.printf(Locale.ROOT, "| %d | %s | %.0f | %.1f | 25 | %d | %d | %d | %s |%n", run,
                            release, calls.size() / seconds, (decided - firstBad) / 1000.0,
                            Math.max(0, lastToCanary - decided), failedBefore, failedAfter,
                            ended.phase() + ": " + ended.outcome());
                }
            }
        }
    }

    private static void good(Path dir, Path releases, int runs) throws Exception {
        System.out.println("| run | calls | failed | step 1 -> promoted s | holds s | evaluations | outcome |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int run = 1; run <= runs; run++) {
            try (Cluster cluster = new Cluster(dir.resolve("good-" + run), 3)) {
                cluster.deploy(releases.resolve("greeter-1.0.0.jar"), "greeter");
                try (VesselClient client = VesselClient.connect(cluster.zk.connectString())) {
                    cluster.awaitInstances(client, "greeter", 3);
                    TimedLoad load = new TimedLoad(client, "greeter", 4, 5);
                    Thread.sleep(3_000);
                    cluster.startRollout(releases.resolve("greeter-1.1.0.jar"), "greeter");
                    RolloutRecord ended = cluster.awaitEnded("greeter", Duration.ofMinutes(3));
                    load.stop();
                    long step1 = ended.events().stream().filter(e -> e.what().startsWith("step 1/")).findFirst()
                            .orElseThrow().at();
                    System.out.printf(Locale.ROOT, "| %d | %d | %d | %.2f | 40 | %d | %s |%n", run, load.calls.sum(),
                            load.failed(), (ended.endedAt() - step1) / 1000.0, ended.evaluations().size(),
                            ended.phase() + ": " + ended.outcome());
                }
            }
        }
    }

    private static void driver(Path dir, Path releases) throws Exception {
        try (Cluster cluster = new Cluster(dir.resolve("driver"), 3)) {
            cluster.deploy(releases.resolve("greeter-1.0.0.jar"), "greeter");
            try (VesselClient client = VesselClient.connect(cluster.zk.connectString())) {
                cluster.awaitInstances(client, "greeter", 3);
                TimedLoad load = new TimedLoad(client, "greeter", 4, 5);
                Thread.sleep(3_000);
                cluster.startRollout(releases.resolve("greeter-1.1.0.jar"), "greeter");
                RolloutStore rollouts = new RolloutStore(cluster.registry);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (rollouts.read("greeter").orElseThrow().record().evaluations().isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no evaluation within 2 min");
                    }
                    Thread.sleep(100); // harness polling the record
                }
                String driver = cluster.driver();
                long killed = System.currentTimeMillis();
                cluster.kill(driver);
                long next;
                while (true) {
                    RolloutRecord now = rollouts.read("greeter").orElseThrow().record();
                    var after = now.evaluations().stream().filter(e -> e.at() > killed).findFirst();
                    if (after.isPresent()) {
                        next = after.get().at();
                        break;
                    }
                    Thread.sleep(100);
                }
                String successor = cluster.driver();
                RolloutRecord ended = cluster.awaitEnded("greeter", Duration.ofMinutes(3));
                load.stop();
                System.out.printf(Locale.ROOT, "driver %s killed (SIGKILL) at step %d; %s made the next evaluation"
                        + " %.1f s later (the session timeout is 15 s); outcome %s: %s; calls %d, failed %d (the"
                        + " killed node served a third of them)%n", driver, 1, successor, (next - killed) / 1000.0,
                        ended.phase(), ended.outcome(), load.calls.sum(), load.failed());
                long steps = ended.events().stream().filter(e -> e.what().startsWith("step 2/")).count();
                System.out.println("step 2 events: " + steps + ", promoted events: " + ended.events().stream()
                        .filter(e -> e.what().startsWith("promoted")).count());
            }
        }
    }

    private static void many(Path dir, Path releases, int services) throws Exception {
        try (Cluster cluster = new Cluster(dir.resolve("many"), 3)) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= services; i++) {
                names.add(String.format(Locale.ROOT, "svc-%02d", i));
            }
            for (String name : names) {
                cluster.deploy(releases.resolve("greeter-1.0.0.jar"), name);
            }
            try (VesselClient client = VesselClient.connect(cluster.zk.connectString())) {
                List<TimedLoad> loads = new ArrayList<>();
                for (String name : names) {
                    cluster.awaitInstances(client, name, 3);
                    loads.add(new TimedLoad(client, name, 1, 20));
                }
                String driver = cluster.driver();
                // the admin work (uploads, validation) goes to another node and happens before the CPU is measured:
                // what the driving node spends over the others during the rollouts is the driving
                cluster.adminNode = cluster.urls.keySet().stream().filter(n -> !n.equals(driver)).findFirst()
                        .orElseThrow();
                List<String> versions = new ArrayList<>();
                for (int i = 0; i < names.size(); i++) {
                    versions.add(cluster.createRelease(releases.resolve((i % 2 == 0 ? "greeter-faulty"
                            : "greeter-1.1.0") + ".jar"), names.get(i)));
                }
                Thread.sleep(3_000);
                Map<String, Double> cpuBefore = cluster.cpuSeconds();
                long start = System.nanoTime();
                for (int i = 0; i < names.size(); i++) {
                    cluster.startRollout(names.get(i), versions.get(i));
                }
                Map<String, RolloutRecord> ended = new LinkedHashMap<>();
                for (String name : names) {
                    ended.put(name, cluster.awaitEnded(name, Duration.ofMinutes(5)));
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                Map<String, Double> cpuAfter = cluster.cpuSeconds();
                for (TimedLoad load : loads) {
                    load.stop();
                }
                int right = 0;
                for (int i = 0; i < names.size(); i++) {
                    Phase expected = i % 2 == 0 ? Phase.ROLLED_BACK : Phase.PROMOTED;
                    RolloutRecord r = ended.get(names.get(i));
                    if (r.phase() == expected) {
                        right++;
                    } else {
                        System.out.println(names.get(i) + " expected " + expected + ", got " + r.phase() + ": "
                                + r.outcome());
                    }
                }
                System.out.printf(Locale.ROOT, "%d services rolled out at once in %.0f s; %d of %d decided as"
                        + " their own data says (odd: faulty, rolled back; even: good, promoted)%n", services,
                        elapsed, right, services);
                System.out.println("| node | CPU s during the rollouts | CPU % of one core |");
                System.out.println("|---|---|---|");
                double others = 0;
                for (String node : cpuAfter.keySet()) {
                    double used = cpuAfter.get(node) - cpuBefore.get(node);
                    if (!node.equals(driver)) {
                        others += used / (cpuAfter.size() - 1);
                    }
                    System.out.printf(Locale.ROOT, "| %s%s | %.1f | %.1f |%n", node, node.equals(driver)
                            ? " (driver)" : "", used, used / elapsed * 100);
                }
                double extra = cpuAfter.get(driver) - cpuBefore.get(driver) - others;
                System.out.printf(Locale.ROOT, "driver's extra CPU over the other nodes' mean: %.1f s in %.0f s ="
                        + " %.1f %% of one core%n", extra, elapsed, extra / elapsed * 100);
            }
        }
    }

    /** When each node's container of a version first showed a state other than ACTIVE on its {@code /v1/load}. */
    static final class StateWatch {
        private final Map<String, Long> firstSeen = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic
                .AtomicBoolean(true);
        private final Thread thread;

        StateWatch(Map<String, URI> nodes, String service, String version) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            Map<String, Boolean> active = new java.util.concurrent.ConcurrentHashMap<>();
            thread = new Thread(() -> {
                while (running.get()) {
                    for (Map.Entry<String, URI> node : nodes.entrySet()) {
                        try {
                            String load = http.send(java.net.http.HttpRequest.newBuilder(node.getValue()
                                    .resolve("/v1/load")).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                                    .body();
                            boolean isActive = load.contains("\"service\":\"" + service + "\",\"version\":\""
                                    + version + "\",\"state\":\"ACTIVE\"");
                            active.merge(node.getKey(), isActive, Boolean::logicalOr);
                            if (active.get(node.getKey()) && !isActive) {
                                firstSeen.putIfAbsent(node.getKey(), System.currentTimeMillis());
                            }
                        } catch (Exception e) {
                            // the node is busy or going: the next poll asks again
                        }
                    }
                }
            }, "state-watch");
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        Map<String, Long> firstSeen() {
            return new java.util.TreeMap<>(firstSeen);
        }
    }

    /** An embedded ZooKeeper and node processes on loopback. */
    static final class Cluster implements AutoCloseable {
        final EmbeddedZooKeeper zk;
        final RegistryConnection registry;
        final Map<String, Process> nodes = new LinkedHashMap<>();
        final Map<String, URI> urls = new LinkedHashMap<>();
        private final Path dir;

        Cluster(Path dir, int count) throws Exception {
            this.dir = Files.createDirectories(dir);
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            zk = EmbeddedZooKeeper.start(dir.resolve("zk"), port);
            for (int i = 1; i <= count; i++) {
                String id = "node-" + i;
                Path log = dir.resolve(id + ".log");
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx1g", "-cp", System.getProperty("java.class.path"), NodeProcess.class.getName(),
                        zk.connectString(), dir.resolve(id).toString(), id, "0", "true", TOKEN)
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                nodes.put(id, p);
                urls.put(id, NodeProcess.awaitReady(p, log));
            }
            registry = RegistryConnection.connect(zk.connectString());
        }

        /** The node admin requests go to; the first unless a run chooses another. */
        String adminNode = "node-1";

        AdminClient admin() {
            return new AdminClient(urls.get(adminNode), TOKEN, null, Duration.ofSeconds(30));
        }

        void deploy(Path jar, String service) {
            AdminClient admin = admin();
            ReleaseManifest release = admin.createRelease(List.of(admin.upload(jar, 1 << 20, (f, s, t, b) -> { })),
                    service, false, false, "benchmark");
            admin.change(service, new DeploymentChange("deploy", release.version(), 100, "*", null, null,
                    "benchmark"));
        }

        /** Uploads the release and starts its rollout under {@link #RULE}; answers its version. */
        String startRollout(Path jar, String service) {
            String version = createRelease(jar, service);
            startRollout(service, version);
            return version;
        }

        String createRelease(Path jar, String service) {
            AdminClient admin = admin();
            return admin.createRelease(List.of(admin.upload(jar, 1 << 20, (f, s, t, b) -> { })), service, false,
                    false, "benchmark").version();
        }

        void startRollout(String service, String version) {
            admin().startRollout(service, new RolloutAction("start", version, RULE, "issue-24.yaml", null, null,
                    null, null, null, "benchmark"));
        }

        RolloutRecord awaitEnded(String service, Duration limit) throws InterruptedException {
            RolloutStore rollouts = new RolloutStore(registry);
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                RolloutRecord now = rollouts.read(service).orElseThrow().record();
                if (now.phase().ended()) {
                    return now;
                }
                Thread.sleep(100); // harness polling the record
            }
            throw new IllegalStateException("the rollout of " + service + " did not end within " + limit);
        }

        void awaitInstances(VesselClient client, String service, int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (client.instances(service).size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(service + " did not reach " + count + " instances in 60 s");
                }
                Thread.sleep(20);
            }
        }

        /** Who holds the rollout driver's latch: the participant with the lowest sequence number. */
        String driver() throws Exception {
            String path = registry.layout().rolloutDriver();
            List<String> children = registry.curator().getChildren().forPath(path);
            String first = children.stream().min((a, b) -> a.substring(a.lastIndexOf('-') + 1)
                    .compareTo(b.substring(b.lastIndexOf('-') + 1))).orElseThrow();
            return new String(registry.curator().getData().forPath(path + "/" + first), StandardCharsets.UTF_8);
        }

        void kill(String node) throws Exception {
            Process p = nodes.remove(node);
            new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).inheritIO().start().waitFor();
            p.waitFor(30, TimeUnit.SECONDS);
        }

        /** CPU seconds (user + system) each node process has used, from /proc. */
        Map<String, Double> cpuSeconds() throws Exception {
            Map<String, Double> seconds = new LinkedHashMap<>();
            for (Map.Entry<String, Process> node : nodes.entrySet()) {
                String stat = Files.readString(Path.of("/proc", Long.toString(node.getValue().pid()), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields from state (3rd) on: utime is the 14th field, stime the 15th, in clock ticks (100/s)
                seconds.put(node.getKey(), (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0);
            }
            return seconds;
        }

        @Override
        public void close() throws Exception {
            registry.close();
            for (Process p : nodes.values()) {
                p.destroy();
            }
            for (Process p : nodes.values()) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            zk.close();
        }
    }
}
