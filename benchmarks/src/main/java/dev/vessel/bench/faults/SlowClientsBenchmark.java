package dev.vessel.bench.faults;

import static dev.vessel.bench.faults.FaultBenchmark.TOKEN;
import static dev.vessel.bench.faults.FaultBenchmark.percentile;

import dev.vessel.deploy.AdminClient;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.router.VesselClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Slow senders against one node process: a paced client's greeter calls (through {@code VesselClient}) and
 * health probes are measured alone, beside {@code connections} connections that each send a byte every
 * {@code interval} (half trickling headers, half a call's body; see {@link SlowSenders}), and alone again, in one
 * run.
 */
final class SlowClientsBenchmark {
    /** The paced client: this many threads, each calling once per period. */
    private static final int CLIENT_THREADS = 2;
    private static final long CLIENT_PERIOD_MICROS = 5_000;

    private SlowClientsBenchmark() {}

    static void run(Path dir, Path releases, int connections, int seconds, long intervalMillis) throws Exception {
        run(dir, releases, connections, seconds, intervalMillis, false, "127.0.0.1");
    }

    /**
     * {@code silent}: connections that never send a byte (reopened an interval after the node closes them), all from
     * the loopback address {@code from}; the paced client and health come from 127.0.0.1.
     */
    static void run(Path dir, Path releases, int connections, int seconds, long intervalMillis, boolean silent,
            String from) throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), FaultBenchmark.freePort());
                FaultBenchmark.Nodes nodes = new FaultBenchmark.Nodes(dir, zk.connectString())) {
            URI url = nodes.start("node-1");
            FaultBenchmark.deploy(new AdminClient(url, TOKEN), releases.resolve("greeter-1.0.0.jar"), 0);
            try (VesselClient client = VesselClient.builder().connectString(zk.connectString()).build()) {
                FaultBenchmark.awaitInstances(client, "greeter", 1);
                measure(client, url, 5, silent); // warm-up
                Phase alone = measure(client, url, seconds, silent);
                Phase beside;
                long opened;
                long closed;
                long answered;
                int held;
                try (SlowSenders slow = new SlowSenders(url.getPort(), connections, intervalMillis, silent, from)) {
                    slow.start();
                    // every connection open and sending (or as many as the node lets one client hold), and one
                    // interval more so each has sent bytes already
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(silent ? 5 : 60);
                    while (slow.open() < connections && System.nanoTime() < deadline) {
                        Thread.sleep(100); // harness polling of the senders' own count
                    }
                    Thread.sleep(intervalMillis);
                    long openedBefore = slow.opened.sum();
                    long closedBefore = slow.closedByNode.sum();
                    long answeredBefore = slow.answeredByNode.sum();
                    beside = measure(client, url, seconds, silent);
                    held = slow.open();
                    opened = slow.opened.sum() - openedBefore;
                    closed = slow.closedByNode.sum() - closedBefore;
                    answered = slow.answeredByNode.sum() - answeredBefore;
                }
                Phase after = measure(client, url, seconds, silent);
                System.out.println("| phase | calls | failed | call p50 ms | call p99 ms | call max ms | health p50 ms"
                        + " | health p99 ms | health max ms |");
                System.out.println("|---|---|---|---|---|---|---|---|---|");
                System.out.println(alone.row("alone"));
                System.out.println(beside.row(connections + (silent ? " silent connections from " + from
                        : " slow connections (a byte every " + intervalMillis + " ms)")));
                System.out.println(after.row("alone again"));
                System.out.printf(Locale.ROOT, "slow connections while measured: %d open at the end, %d closed by the"
                        + " node, %d answered (408/503) first, %d opened again%n", held, closed, answered, opened);
                double baseline = Math.max(alone.callP99(), after.callP99());
                System.out.printf(Locale.ROOT, "call p99 beside / alone: %.2f (vs the first alone phase %.2f);"
                        + " health p99 beside: %.1f ms (targets <= 1.5 and <= 50 ms)%n", beside.callP99() / baseline,
                        beside.callP99() / alone.callP99(), percentile(beside.health, 99));
            }
        }
    }

    private record Phase(long calls, long failed, double[] latencies, double[] health) {
        double callP99() {
            return percentile(latencies, 99);
        }

        String row(String name) {
            return String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.2f | %.1f | %.2f | %.2f | %.1f |", name, calls,
                    failed, percentile(latencies, 50), callP99(), percentile(latencies, 100), percentile(health, 50),
                    percentile(health, 99), percentile(health, 100));
        }
    }

    /**
     * The paced client for {@code seconds}, and health probed every 20 ms meanwhile: over one kept-alive connection,
     * or with {@code fresh}, each probe over a new connection (what a load balancer's probe or a new client does, and
     * what connections held by someone else take away; an existing connection never notices them).
     */
    private static Phase measure(VesselClient client, URI node, int seconds, boolean fresh) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        LongAdder failed = new LongAdder();
        double[][] samples = new double[CLIENT_THREADS][];
        Thread[] threads = new Thread[CLIENT_THREADS];
        for (int t = 0; t < CLIENT_THREADS; t++) {
            int index = t;
            threads[t] = new Thread(() -> samples[index] = pacedCalls(client, end, failed));
            threads[t].start();
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        double[] health = new double[seconds * 60];
        int probes = 0;
        while (System.nanoTime() < end && probes < health.length) {
            long start = System.nanoTime();
            if (fresh) {
                probeOnNewConnection(node);
            } else {
                http.send(HttpRequest.newBuilder(node.resolve("/v1/health")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            health[probes++] = (System.nanoTime() - start) / 1e6;
            Thread.sleep(20); // the probe's interval
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double[] all = Arrays.stream(samples).flatMapToDouble(Arrays::stream).toArray();
        return new Phase(all.length, failed.sum(), all, Arrays.copyOf(health, probes));
    }

    /** {@code GET /v1/health} on a connection of its own, closed after the answer; at most 30 s. */
    private static void probeOnNewConnection(URI node) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(node.getHost(), node.getPort()), 30_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET /v1/health HTTP/1.1\r\nHost: " + node.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        } catch (java.net.SocketTimeoutException e) {
            // counted by its time: the probe waited its 30 s
        }
    }

    /** One call per period until {@code end}; a call that overruns its period starts the next one at once. */
    private static double[] pacedCalls(VesselClient client, long end, LongAdder failed) {
        double[] latencies = new double[1 << 16];
        int n = 0;
        long next = System.nanoTime();
        while (next < end && n < latencies.length) {
            long start = System.nanoTime();
            try {
                client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
            } catch (RuntimeException e) {
                failed.increment();
            }
            latencies[n++] = (System.nanoTime() - start) / 1e6;
            next += TimeUnit.MICROSECONDS.toNanos(CLIENT_PERIOD_MICROS);
            long pause = next - System.nanoTime();
            if (pause > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(pause); // the client's pace, not synchronization
            }
        }
        return Arrays.copyOf(latencies, n);
    }
}
