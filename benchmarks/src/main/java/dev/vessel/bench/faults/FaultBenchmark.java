package dev.vessel.bench.faults;

import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.bench.NodeProcess;
import dev.vessel.deploy.AdminClient;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.router.CallOptions;
import dev.vessel.router.VesselClient;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Faults measured from outside, against node processes on loopback, through the public {@code VesselClient}:
 *
 * <ul>
 *   <li>{@code noisy}: one node runs greeter and a release whose method sleeps; a 2-thread client's greeter calls
 *       are measured alone, then while 400 threads keep the sleeper saturated; health is sampled throughout.</li>
 *   <li>{@code frozen}: three nodes run greeter; under idempotent load one node is frozen with SIGSTOP for 25 s
 *       (past its 15 s session) and thawed; failures, the slowest call and hedged attempts are counted.</li>
 *   <li>{@code leader}: a real 3-server ZooKeeper ensemble (three QuorumPeerMain processes, tickTime 500) and two
 *       node processes; under load (plain and idempotent calls) the ZooKeeper leader is killed with SIGKILL, and
 *       calls go on until a new leader is elected and 5 s after. Repeated on a fresh ensemble per run.</li>
 *   <li>{@code outage}: every server of the ensemble killed for a while; see {@link RegistryOutageBenchmark}.</li>
 *   <li>{@code holder}: the only node holding a release's jar is stopped, the deployment then asks a second node
 *       to run it too, and the holder comes back after the given seconds; timed until the second node runs it,
 *       with nobody deploying again.</li>
 *   <li>{@code stall}: a peer that stalls mid-body; see {@link StallingPeerBenchmark}.</li>
 *   <li>{@code slow}: connections that send a byte every few seconds; see {@link SlowClientsBenchmark}.</li>
 *   <li>{@code silent}: connections from one other loopback address that never send a byte.</li>
 * </ul>
 *
 * Every load loop is bounded in time and talks only to 127.0.0.1.
 */
public final class FaultBenchmark {
    static final String TOKEN = "benchmark-token-0123456789abcdef";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FaultBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path releases = Path.of(args[0]);
        String mode = args[1];
        Path dir = Files.createTempDirectory("vessel-faults");
        switch (mode) {
            case "noisy" -> noisy(dir, releases, Integer.parseInt(args.length > 2 ? args[2] : "8"));
            case "frozen" -> frozen(dir, releases, Integer.parseInt(args.length > 2 ? args[2] : "25"));
            case "leader" -> leader(dir, releases, Integer.parseInt(args.length > 2 ? args[2] : "5"));
            case "holder" -> holder(dir, releases, Integer.parseInt(args.length > 2 ? args[2] : "20"));
            case "stall" -> StallingPeerBenchmark.run(dir, releases);
            case "outage" -> RegistryOutageBenchmark.run(dir, releases, args.length > 2 ? Integer.parseInt(args[2]) : 30,
                    args.length > 3 ? Integer.parseInt(args[3]) : 1, args.length > 4 && args[4].equals("restart"),
                    args.length > 5 ? Integer.parseInt(args[5]) : 1);
            case "cpu" -> CpuNeighbourBenchmark.run(dir, releases, args.length > 2 ? Integer.parseInt(args[2]) : 10);
            case "slow" -> SlowClientsBenchmark.run(dir, releases, args.length > 2 ? Integer.parseInt(args[2]) : 1000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 30, args.length > 4 ? Long.parseLong(args[4]) : 5000);
            case "silent" -> SlowClientsBenchmark.run(dir, releases, args.length > 2 ? Integer.parseInt(args[2]) : 5000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 30, args.length > 4 ? Long.parseLong(args[4]) : 1000,
                    true, args.length > 5 ? args[5] : "127.0.0.2");
            default -> throw new IllegalArgumentException("mode must be noisy, cpu, frozen, leader, outage, holder,"
                    + " stall, slow or silent; got " + mode);
        }
    }

    // --- noisy neighbour ---

    private static void noisy(Path dir, Path releases, int seconds) throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), freePort());
                Nodes nodes = new Nodes(dir, zk.connectString())) {
            URI url = nodes.start("node-1");
            AdminClient admin = new AdminClient(url, TOKEN);
            deploy(admin, releases.resolve("greeter-1.0.0.jar"), 0);
            // first the sleeper's bulkhead takes all 400 calls (200 run, 200 wait): nothing is refused
            deploy(admin, releases.resolve("sleeper.jar"), 200);
            try (VesselClient client = VesselClient.builder().connectString(zk.connectString()).build()) {
                awaitInstances(client, "greeter", 1);
                awaitInstances(client, "sleeper", 1);
                measureGreeter(client, url, 3, null); // warm-up
                Measured alone = measureGreeter(client, url, seconds, null);
                Flood flood = new Flood(url, SLEEP, 400, 8_000, Duration.ofSeconds(60));
                flood.start();
                Measured beside;
                Measured refusing;
                Flood refusingFlood;
                try {
                    Thread.sleep(1_000); // let the flood fill the sleeper's bulkhead before measuring
                    beside = measureGreeter(client, url, seconds, flood);
                } finally {
                    flood.stop();
                }
                // then at the default limit (64 run, 64 wait), so most of the 400 callers are refused and back off
                admin.change("sleeper", new DeploymentChange("deploy", "1.0.0", 100, "*", null, null, "benchmark",
                        null));
                Thread.sleep(9_000); // the first flood's sleeping calls end
                refusingFlood = new Flood(url, SLEEP, 400, 8_000, Duration.ofSeconds(60));
                refusingFlood.start();
                try {
                    Thread.sleep(1_000);
                    refusing = measureGreeter(client, url, seconds, refusingFlood);
                } finally {
                    refusingFlood.stop();
                }
                System.out.println("| run | greeter calls | calls/s | p50 ms | p99 ms | max ms | failed | health p99 ms"
                        + " | health max ms | sleeper answers 200 / 503 OVERLOADED |");
                System.out.println("|---|---|---|---|---|---|---|---|---|---|");
                System.out.println(alone.row("greeter alone", null));
                System.out.println(beside.row("beside 400 sleeping calls (sleeper max-concurrency 200)", flood));
                System.out.println(refusing.row("beside 400 callers, sleeper at the default 64", refusingFlood));
                System.out.printf(Locale.ROOT, "400 admitted: throughput ratio %.3f, p99 ratio %.3f; 400 callers at the"
                        + " default limit: throughput ratio %.3f, p99 ratio %.3f (targets >= 0.8 and <= 1.5)%n",
                        beside.perSecond() / alone.perSecond(), beside.p99() / alone.p99(),
                        refusing.perSecond() / alone.perSecond(), refusing.p99() / alone.p99());
            }
        }
    }

    record Measured(long calls, double seconds, long failed, double[] latencies, double[] health) {
        double perSecond() {
            return calls / seconds;
        }

        double p99() {
            return percentile(latencies, 99);
        }

        String row(String name, Flood flood) {
            return String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.1f | %d | %.1f | %.1f | %s |", name,
                    calls, perSecond(), percentile(latencies, 50), p99(), percentile(latencies, 100), failed,
                    percentile(health, 99), percentile(health, 100),
                    flood == null ? "-" : flood.ok.sum() + " / " + flood.refused.sum());
        }
    }

    /** Two client threads calling greeter for {@code seconds}, and health sampled every 20 ms meanwhile. */
    static Measured measureGreeter(VesselClient client, URI node, int seconds, Flood flood) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<double[]> perThread = new ArrayList<>();
        LongAdder failed = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        long[] counts = new long[2];
        for (int t = 0; t < 2; t++) {
            int index = t;
            double[][] holder = new double[1][];
            perThread.add(null);
            Thread thread = new Thread(() -> {
                double[] samples = new double[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try {
                        client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
                    } catch (RuntimeException e) {
                        if (failed.sum() == 0) { // the first failure says why; the count says how often
                            System.err.println("greeter call failed: " + e);
                        }
                        failed.increment();
                    }
                    if (n == samples.length) {
                        samples = Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = (System.nanoTime() - start) / 1e6;
                }
                holder[0] = Arrays.copyOf(samples, n);
                synchronized (perThread) {
                    perThread.set(index, holder[0]);
                    counts[index] = n;
                }
            });
            threads.add(thread);
        }
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        List<Double> health = new ArrayList<>();
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            HTTP.send(HttpRequest.newBuilder(node.resolve("/v1/health")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding());
            health.add((System.nanoTime() - start) / 1e6);
            Thread.sleep(20); // the sampling interval of the health probe
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        double[] all = new double[(int) (counts[0] + counts[1])];
        System.arraycopy(perThread.get(0), 0, all, 0, (int) counts[0]);
        System.arraycopy(perThread.get(1), 0, all, (int) counts[0], (int) counts[1]);
        return new Measured(all.length, elapsed, failed.sum(), all,
                health.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The sleeper's method that sleeps as long as it is asked. */
    private static final String SLEEP = "sleeper/1.0.0/sleeper/sleep";

    /**
     * {@code threads} callers of one method taking a duration in milliseconds ({@code call}: service, version,
     * endpoint and method, as in {@code /v1/call/...}), over plain HTTP, each calling again as soon as its call
     * ends; one whose call is refused (503 OVERLOADED) waits {@link #REFUSED_PAUSE_MS} first, as a client that
     * backs off would. Without a pause 400 callers turn refusals into a busy loop that takes both cores of this
     * machine from the node, which measures the machine, not the node's isolation.
     */
    static final class Flood {
        static final long REFUSED_PAUSE_MS = 1_000;
        private final URI node;
        private final String call;
        private final int threads;
        private final long millis;
        private final Duration timeout;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> callers = new ArrayList<>();
        final LongAdder ok = new LongAdder();
        final LongAdder refused = new LongAdder();
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Flood(URI node, String call, int threads, long millis, Duration timeout) {
            this.node = node;
            this.call = call;
            this.threads = threads;
            this.millis = millis;
            this.timeout = timeout;
        }

        void start() {
            for (int i = 0; i < threads; i++) {
                Thread caller = new Thread(this::run, "flood-" + i);
                caller.setDaemon(true);
                callers.add(caller);
                caller.start();
            }
        }

        private void run() {
            HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/call/" + call))
                    .timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[" + millis + "]")).build();
            while (running.get()) {
                try {
                    int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status == 200) {
                        ok.increment();
                    } else {
                        refused.increment();
                        Thread.sleep(REFUSED_PAUSE_MS);
                    }
                } catch (IOException e) {
                    refused.increment();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() {
            running.set(false);
            callers.forEach(Thread::interrupt);
        }
    }

    // --- frozen node ---

    private static void frozen(Path dir, Path releases, int frozenSeconds) throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), freePort());
                Nodes nodes = new Nodes(dir, zk.connectString())) {
            List<URI> urls = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                urls.add(nodes.start("node-" + i));
            }
            deploy(new AdminClient(urls.get(0), TOKEN), releases.resolve("greeter-1.0.0.jar"), 0);
            try (VesselClient client = VesselClient.builder().connectString(zk.connectString()).build()) {
                awaitInstances(client, "greeter", 3);
                AtomicBoolean running = new AtomicBoolean(true);
                LongAdder calls = new LongAdder();
                LongAdder failed = new LongAdder();
                double[] slowest = new double[4];
                List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int index = t;
                    Thread thread = new Thread(() -> {
                        while (running.get()) {
                            long start = System.nanoTime();
                            try {
                                client.call(CallOptions.idempotentCall(), "greeter", "[1.0,2.0)", "greeter", "greet",
                                        "Ada");
                            } catch (RuntimeException e) {
                                failed.increment();
                                if (failures.size() < 5) {
                                    failures.add(e.toString());
                                }
                            }
                            calls.increment();
                            slowest[index] = Math.max(slowest[index], (System.nanoTime() - start) / 1e6);
                        }
                    });
                    threads.add(thread);
                    thread.start();
                }
                Thread.sleep(3_000); // steady load before the fault
                long hedgesBefore = client.hedges();
                long callsBefore = calls.sum();
                Process victim = nodes.process("node-2");
                signal(victim, "STOP");
                Thread.sleep(TimeUnit.SECONDS.toMillis(frozenSeconds));
                signal(victim, "CONT");
                Thread.sleep(10_000); // after the thaw: the node re-registers and takes calls again
                running.set(false);
                for (Thread thread : threads) {
                    thread.join();
                }
                long total = calls.sum();
                long hedged = client.hedges() - hedgesBefore;
                System.out.println("| calls | failed | slowest call ms | hedged attempts | hedged share |");
                System.out.println("|---|---|---|---|---|");
                System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %d | %.2f %% |%n", total, failed.sum(),
                        Arrays.stream(slowest).max().orElse(0), hedged, 100.0 * hedged / (total - callsBefore));
                failures.forEach(f -> System.out.println("failure: " + f));
            }
        }
    }

    // --- the only holder of an artifact down ---

    private static void holder(Path dir, Path releases, int downSeconds) throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), freePort());
                Nodes nodes = new Nodes(dir, zk.connectString())) {
            URI holder = nodes.start("node-1");
            URI behind = nodes.start("node-2");
            AdminClient admin = new AdminClient(holder, TOKEN);
            AdminClient.Uploaded uploaded = admin.upload(releases.resolve("greeter-1.0.0.jar"), 1 << 20,
                    (f, s, t, b) -> { });
            ReleaseManifest release = admin.createRelease(List.of(uploaded), null, false, false, "benchmark");
            admin.change("greeter", new DeploymentChange("deploy", release.version(), 100, "node-1", null, null,
                    "benchmark"));
            awaitActive(holder, "greeter-1.0.0", 60);
            nodes.stop("node-1");
            long asked = System.nanoTime();
            new AdminClient(behind, TOKEN).change("greeter", new DeploymentChange("deploy", release.version(), 100,
                    "*", null, null, "benchmark"));
            Thread.sleep(TimeUnit.SECONDS.toMillis(downSeconds)); // the holder stays down this long
            long back = System.nanoTime();
            nodes.start("node-1");
            awaitActive(behind, "greeter-1.0.0", 120);
            long done = System.nanoTime();
            System.out.println("| holder down s | deployment asked -> node-2 ACTIVE s | holder back -> node-2 ACTIVE s |");
            System.out.println("|---|---|---|");
            System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f |%n", downSeconds, (done - asked) / 1e9,
                    (done - back) / 1e9);
        }
    }

    static void awaitActive(URI node, String container, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String health = HTTP.send(HttpRequest.newBuilder(node.resolve("/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (com.fasterxml.jackson.databind.JsonNode c : JSON.readTree(health).path("containers")) {
                if (c.path("id").asText().equals(container) && c.path("state").asText().equals("ACTIVE")) {
                    return;
                }
            }
            Thread.sleep(100); // harness polling of the node's health
        }
        throw new IllegalStateException(container + " not ACTIVE on " + node + " within " + seconds + " s");
    }

    // --- ZooKeeper leader killed ---

    private static void leader(Path dir, Path releases, int runs) throws Exception {
        System.out.println("| run | calls | failed plain | failed idempotent | leader killed -> new leader ms |");
        System.out.println("|---|---|---|---|---|");
        long totalFailed = 0;
        for (int run = 1; run <= runs; run++) {
            Path runDir = Files.createDirectories(dir.resolve("run-" + run));
            try (ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(runDir);
                    Nodes nodes = new Nodes(runDir, ensemble.connectString())) {
                URI first = nodes.start("node-1");
                nodes.start("node-2");
                deploy(new AdminClient(first, TOKEN), releases.resolve("greeter-1.0.0.jar"), 0);
                try (VesselClient client = VesselClient.connect(ensemble.connectString())) {
                    awaitInstances(client, "greeter", 2);
                    MixedLoad load = new MixedLoad(client);
                    Thread.sleep(2_000); // steady load first
                    int leader = ensemble.awaitLeader(-1);
                    long killed = System.nanoTime();
                    ensemble.kill(leader);
                    ensemble.awaitLeader(leader);
                    long electionMillis = (System.nanoTime() - killed) / 1_000_000;
                    Thread.sleep(5_000); // and after the election
                    load.stop();
                    totalFailed += load.failed();
                    System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d |%n", run, load.calls.sum(),
                            load.failedPlain.sum(), load.failedIdempotent.sum(), electionMillis);
                }
            }
        }
        System.out.println("failed calls in all runs: " + totalFailed);
    }

    static void signal(Process process, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    // --- shared ---

    static void deploy(AdminClient admin, Path jar, int maxConcurrency) {
        deploy(admin, jar, maxConcurrency, 0);
    }

    /** Uploads {@code jar} and deploys it everywhere; 0 leaves a limit to the node's default. */
    static void deploy(AdminClient admin, Path jar, int maxConcurrency, double cpuLimit) {
        AdminClient.Uploaded uploaded = admin.upload(jar, 1 << 20, (f, s, t, b) -> { });
        ReleaseManifest release = admin.createRelease(List.of(uploaded), null, false, false, "benchmark");
        admin.change(release.service(), new DeploymentChange("deploy", release.version(), 100, "*", null, null,
                "benchmark", maxConcurrency == 0 ? null : maxConcurrency, null, cpuLimit == 0 ? null : cpuLimit));
    }

    static void awaitInstances(VesselClient client, String service, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.instances(service).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(service + " did not reach " + count + " instances in 60 s");
            }
            Thread.sleep(20); // harness polling the client's own table
        }
    }

    static double percentile(double[] values, int p) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1 < 0 ? 0
                : (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Node processes of this run, stopped (SIGTERM, then SIGKILL) when it ends. */
    static final class Nodes implements AutoCloseable {
        private final Path dir;
        private final String zk;
        private final java.util.Map<String, Process> processes = new java.util.LinkedHashMap<>();

        Nodes(Path dir, String zk) {
            this.dir = dir;
            this.zk = zk;
        }

        URI start(String id, String... jvmArguments) throws Exception {
            Process p = launch(id, jvmArguments);
            return NodeProcess.awaitReady(p, dir.resolve(id + ".log"));
        }

        /** Starts a node process without waiting for it to be ready (it may be waiting for its registry). */
        Process launch(String id, String... jvmArguments) throws Exception {
            Path log = dir.resolve(id + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx512m"));
            command.addAll(List.of(jvmArguments));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeProcess.class.getName(), zk,
                    dir.resolve(id).toString(), id, "0", "true", TOKEN));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            processes.put(id, p);
            return p;
        }

        /** Kills a node process with SIGKILL. */
        void kill(String id) throws Exception {
            Process p = processes.remove(id);
            signal(p, "KILL");
            p.waitFor(30, TimeUnit.SECONDS);
        }

        /** Ends a node process cleanly (SIGTERM: its shutdown hook closes the node). */
        void stop(String id) throws Exception {
            Process p = processes.remove(id);
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }

        Process process(String id) {
            return processes.get(id);
        }

        @Override
        public void close() throws Exception {
            for (Process p : processes.values()) {
                new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
                p.destroy();
            }
            for (Process p : processes.values()) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }
}
