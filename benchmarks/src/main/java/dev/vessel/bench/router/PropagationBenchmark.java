package dev.vessel.bench.router;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.router.VesselClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.test.TestingServer;

/**
 * How long a registration (or removal) takes to reach every one of 10 router clients, each with its own ZooKeeper
 * session, with 1, 100 and 1,000 instances of the service registered. Timed from just before the registry write
 * to the moment each client's routing table holds the change (its change listener, after the table swap). The
 * anchor, in the same run: a bare Curator {@code CuratorCache} on the same path in the 11th session, which sees
 * the raw ZooKeeper event without Vessel's table rebuild.
 *
 * <p>Arguments: rounds per size (default 50), and {@code secured} to measure each size twice more: with the
 * writer authenticated as the nodes, every znode under their ACL and the routers reading as the reader identity
 * (the cost of a secured registry), and the same with every session over TLS, the server taking TLS on its client
 * port as a Vessel-run quorum member does (Netty factory, port unification). Each size first runs
 * {@value #WARMUP} uncounted rounds (JIT, first connections). ZooKeeper is a real server in this process, on
 * loopback.
 */
public final class PropagationBenchmark {
    private static int routerCount = 10;
    private static final int WARMUP = 10;
    /** Instances registered at once, as one rollout's change makes them, after the rounds of each size (0: none). */
    private static int burst;

    private PropagationBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        boolean compareSecured = args.length > 1 && args[1].equals("secured");
        int[] sizes = args.length > 2 ? java.util.stream.Stream.of(args[2].split(",")).mapToInt(Integer::parseInt)
                .toArray() : new int[] {1, 100, 1000};
        routerCount = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        burst = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        System.out.printf("%d router clients, %d registrations and %d removals per size%s%n%n", routerCount, rounds,
                rounds, burst > 0 ? ", then " + burst + " instances registered at once and removed at once" : "");
        System.out.println("| instances | registry | change | routers: median ms | routers: p99 ms | routers: max ms "
                + "| bare CuratorCache: median ms | p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        java.nio.file.Path stores = java.nio.file.Files.createTempDirectory("vessel-bench-tls");
        dev.vessel.host.SelfSignedTls.Files tls = compareSecured
                ? dev.vessel.host.SelfSignedTls.generate(stores, List.of("127.0.0.1")) : null;
        for (int size : sizes) {
            measure(size, rounds, false, null);
            if (compareSecured) {
                // the same, with the writer authenticated as the nodes and every znode under the nodes' ACL
                measure(size, rounds, true, null);
                measure(size, rounds, true, tls);
            }
        }
        if (!bursts.isEmpty()) {
            System.out.println();
            System.out.println("| instances before | routers | change at once | all written (ms) | last router holds"
                    + " it (ms) | table hand-overs per router: median | max |");
            System.out.println("|---|---|---|---|---|---|---|");
            bursts.forEach(System.out::print);
        }
    }

    /** The server side of a TLS client port, as {@code QuorumTls} configures a member (process-wide properties). */
    private static TestingServer server(dev.vessel.host.SelfSignedTls.Files tls) throws Exception {
        String[] names = {"zookeeper.serverCnxnFactory", "zookeeper.client.portUnification", "zookeeper.ssl.clientAuth",
                "zookeeper.ssl.keyStore.location", "zookeeper.ssl.keyStore.password", "zookeeper.ssl.keyStore.type",
                "zookeeper.ssl.trustStore.location", "zookeeper.ssl.trustStore.password",
                "zookeeper.ssl.trustStore.type"};
        for (String name : names) {
            System.clearProperty(name);
        }
        if (tls != null) {
            String[] values = {"org.apache.zookeeper.server.NettyServerCnxnFactory", "true", "none",
                    tls.keyStore().toString(), tls.keyStorePassword(), "PKCS12", tls.trustStore().toString(),
                    tls.trustStorePassword(), "PKCS12"};
            for (int i = 0; i < names.length; i++) {
                System.setProperty(names[i], values[i]);
            }
        }
        return new TestingServer(true);
    }

    private static final String TOKEN = "benchmark-token-0123456789abcdef";
    /** Routers read a secured registry as the read-only identity, as they would in production. */
    private static final String READER_SECRET = dev.vessel.registry.RegistryCredentials.readerSecret(TOKEN);

    private static void measure(int size, int rounds, boolean secured, dev.vessel.host.SelfSignedTls.Files tls)
            throws Exception {
        dev.vessel.registry.RegistryTls sessions = tls == null ? null
                : new dev.vessel.registry.RegistryTls(tls.trustStore(), tls.trustStorePassword());
        try (TestingServer zk = server(tls);
                RegistryConnection writer = RegistryConnection.connect(zk.getConnectString(),
                        dev.vessel.registry.RegistryLayout.defaultLayout(), RegistryConnection.DEFAULT_CONNECT_TIMEOUT,
                        secured ? dev.vessel.registry.RegistryCredentials.forNodes(TOKEN) : null, sessions);
                RegistryConnection anchorSession = RegistryConnection.connect(zk.getConnectString(),
                        dev.vessel.registry.RegistryLayout.defaultLayout(), RegistryConnection.DEFAULT_CONNECT_TIMEOUT,
                        secured ? dev.vessel.registry.RegistryCredentials.forReader(READER_SECRET) : null,
                        sessions)) {
            InstanceRegistry registry = new InstanceRegistry(writer);
            for (int i = 0; i < size - 1; i++) {
                registry.register(record("bg" + i));
            }
            ConcurrentMap<String, Long> anchorSeen = new ConcurrentHashMap<>();
            List<VesselClient> routers = new ArrayList<>();
            try (CuratorCache anchor = CuratorCache.build(anchorSession.curator(), "/vessel/services/greeter")) {
                anchor.listenable().addListener(CuratorCacheListener.builder()
                        .forCreates(node -> anchorSeen.putIfAbsent("+" + name(node.getPath()), System.nanoTime()))
                        .forDeletes(node -> anchorSeen.putIfAbsent("-" + name(node.getPath()), System.nanoTime()))
                        .build());
                anchor.start();
                for (int r = 0; r < routerCount; r++) {
                    VesselClient.Builder router = VesselClient.builder().connectString(zk.getConnectString());
                    if (sessions != null) {
                        router.registryTls(sessions);
                    }
                    routers.add((secured ? router.readerSecret(READER_SECRET) : router).build());
                }
                for (VesselClient router : routers) {
                    if (router.instances("greeter").size() != size - 1) {
                        throw new IllegalStateException("a router started with the wrong table");
                    }
                }
                long[] addRouters = new long[rounds * routerCount];
                long[] removeRouters = new long[rounds * routerCount];
                long[] addAnchor = new long[rounds];
                long[] removeAnchor = new long[rounds];
                Watcher[] watchers = new Watcher[routerCount];
                for (int r = 0; r < routerCount; r++) {
                    watchers[r] = new Watcher(routers.get(r));
                    routers.get(r).onRoutesChanged("greeter", watchers[r]);
                }
                long[] addSamples = new long[routerCount];
                long[] removeSamples = new long[routerCount];
                for (int pass = -WARMUP; pass < rounds; pass++) {
                    InstanceRecord probe = record("probe" + (pass + WARMUP));
                    for (Watcher watcher : watchers) {
                        watcher.expect(probe.id(), true);
                    }
                    long start = System.nanoTime();
                    registry.register(probe);
                    for (int r = 0; r < routerCount; r++) {
                        addSamples[r] = watchers[r].await() - start;
                    }
                    long addBare = awaitAnchor(anchorSeen, "+" + probe.id()) - start;

                    for (Watcher watcher : watchers) {
                        watcher.expect(probe.id(), false);
                    }
                    start = System.nanoTime();
                    registry.unregister(probe);
                    for (int r = 0; r < routerCount; r++) {
                        removeSamples[r] = watchers[r].await() - start;
                    }
                    long removeBare = awaitAnchor(anchorSeen, "-" + probe.id()) - start;
                    if (pass >= 0) {
                        System.arraycopy(addSamples, 0, addRouters, pass * routerCount, routerCount);
                        System.arraycopy(removeSamples, 0, removeRouters, pass * routerCount, routerCount);
                        addAnchor[pass] = addBare;
                        removeAnchor[pass] = removeBare;
                    }
                }
                String mode = tls != null ? "secured + TLS" : secured ? "secured" : "open";
                row(size, mode, "register", addRouters, addAnchor);
                row(size, mode, "remove", removeRouters, removeAnchor);
                if (burst > 0) {
                    String rows = burst(size, registry, routers, watchers);
                    bursts.add(rows);
                    System.out.print("burst: " + rows.replace("\n| ", "\nburst: | "));
                }
            } finally {
                routers.forEach(VesselClient::close);
            }
        }
    }

    /** Rows of the burst table, printed after every size ran. */
    private static final List<String> bursts = new ArrayList<>();

    /**
     * {@link #burst} instances registered at once from 16 threads (one rollout's change), then removed at once:
     * the time until the last router's table holds all of them (or none), and how many times each router handed
     * its table over on the way.
     */
    private static String burst(int size, InstanceRegistry registry, List<VesselClient> routers, Watcher[] watchers)
            throws Exception {
        List<InstanceRecord> records = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            records.add(record("burst" + i));
        }
        StringBuilder row = new StringBuilder();
        for (boolean add : new boolean[] {true, false}) {
            int expected = size - 1 + (add ? burst : 0);
            for (Watcher watcher : watchers) {
                watcher.count(expected);
            }
            java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(16);
            long start = System.nanoTime();
            try {
                List<java.util.concurrent.Future<?>> writes = new ArrayList<>();
                for (InstanceRecord record : records) {
                    writes.add(writers.submit(() -> {
                        if (add) {
                            registry.register(record);
                        } else {
                            registry.unregister(record);
                        }
                    }));
                }
                for (java.util.concurrent.Future<?> write : writes) {
                    write.get();
                }
            } finally {
                writers.shutdownNow();
            }
            long written = System.nanoTime() - start;
            long last = 0;
            int late = 0;
            long[] handOvers = new long[watchers.length];
            for (int r = 0; r < watchers.length; r++) {
                try {
                    last = Math.max(last, watchers[r].awaitCount(late == 0 ? 60 : 1) - start);
                } catch (IllegalStateException notYet) {
                    late++;
                }
                handOvers[r] = watchers[r].handOvers();
            }
            Arrays.sort(handOvers);
            String held = late == 0 ? String.format("%.0f", ms(last))
                    : "not within 60 s after the writes: " + late + " of " + routerCount + " routers";
            row.append(String.format("| %d | %d | %s | %.0f | %s | %d | %d |%n", size, routerCount,
                    add ? "register " + burst : "remove " + burst, ms(written), held, handOvers[handOvers.length / 2],
                    handOvers[handOvers.length - 1]));
            if (late > 0) {
                break; // the routers are still busy with this burst: removing it would measure nothing
            }
        }
        return row.toString();
    }

    private static long awaitAnchor(ConcurrentMap<String, Long> seen, String event) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!seen.containsKey(event)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the bare cache never saw " + event);
            }
            Thread.sleep(1); // the anchor's time is stamped by its listener, not by this poll
        }
        return seen.get(event);
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void row(int size, String registry, String change, long[] routers, long[] anchor) {
        Arrays.sort(routers);
        Arrays.sort(anchor);
        System.out.printf("| %d | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", size, registry, change,
                ms(pct(routers, 50)),
                ms(pct(routers, 99)), ms(routers[routers.length - 1]), ms(pct(anchor, 50)), ms(pct(anchor, 99)));
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static InstanceRecord record(String node) {
        return new InstanceRecord(node + ".greeter-1.0.0", "greeter", "1.0.0", node, "greeter-1.0.0", "z",
                InstanceState.ACTIVE, 100, "127.0.0.1", 7070);
    }

    /** Stamps the moment a router's table first shows the expected change. */
    private static final class Watcher implements Runnable {
        private final VesselClient router;
        private volatile String id;
        private volatile boolean present;
        private volatile CountDownLatch done;
        private volatile long seenAt;

        Watcher(VesselClient router) {
            this.router = router;
        }

        /** Count mode: done once the table holds {@code instances} instances; hand-overs counted from now. */
        private volatile int expectedCount = -1;
        private final java.util.concurrent.atomic.AtomicLong handOvers = new java.util.concurrent.atomic.AtomicLong();

        void count(int instances) {
            seenAt = 0;
            id = null;
            handOvers.set(0);
            expectedCount = instances;
            done = new CountDownLatch(1);
        }

        long handOvers() {
            return handOvers.get();
        }

        long awaitCount(int seconds) throws InterruptedException {
            if (!done.await(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a router never held " + expectedCount + " instances");
            }
            expectedCount = -1;
            return seenAt;
        }

        void expect(String instanceId, boolean shouldBePresent) {
            expectedCount = -1;
            seenAt = 0;
            id = instanceId;
            present = shouldBePresent;
            done = new CountDownLatch(1);
        }

        @Override
        public void run() {
            CountDownLatch latch = done;
            if (latch == null || latch.getCount() == 0) {
                return;
            }
            long now = System.nanoTime();
            if (expectedCount >= 0) {
                handOvers.incrementAndGet();
                if (router.instances("greeter").size() == expectedCount) {
                    seenAt = now;
                    latch.countDown();
                }
                return;
            }
            boolean has = router.instances("greeter").stream().anyMatch(i -> i.id().equals(id));
            if (has == present) {
                seenAt = now;
                latch.countDown();
            }
        }

        long await() throws InterruptedException {
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a router never saw " + id + (present ? " arrive" : " leave"));
            }
            return seenAt;
        }
    }
}
