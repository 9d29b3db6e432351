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
    private static final int ROUTERS = 10;
    private static final int WARMUP = 10;

    private PropagationBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        System.out.printf("%d router clients, %d registrations and %d removals per size%n%n", ROUTERS, rounds, rounds);
        boolean compareSecured = args.length > 1 && args[1].equals("secured");
        System.out.println("| instances | registry | change | routers: median ms | routers: p99 ms | routers: max ms "
                + "| bare CuratorCache: median ms | p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        java.nio.file.Path stores = java.nio.file.Files.createTempDirectory("vessel-bench-tls");
        dev.vessel.host.SelfSignedTls.Files tls = compareSecured
                ? dev.vessel.host.SelfSignedTls.generate(stores, List.of("127.0.0.1")) : null;
        for (int size : new int[] {1, 100, 1000}) {
            measure(size, rounds, false, null);
            if (compareSecured) {
                // the same, with the writer authenticated as the nodes and every znode under the nodes' ACL
                measure(size, rounds, true, null);
                measure(size, rounds, true, tls);
            }
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
                for (int r = 0; r < ROUTERS; r++) {
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
                long[] addRouters = new long[rounds * ROUTERS];
                long[] removeRouters = new long[rounds * ROUTERS];
                long[] addAnchor = new long[rounds];
                long[] removeAnchor = new long[rounds];
                Watcher[] watchers = new Watcher[ROUTERS];
                for (int r = 0; r < ROUTERS; r++) {
                    watchers[r] = new Watcher(routers.get(r));
                    routers.get(r).onRoutesChanged("greeter", watchers[r]);
                }
                long[] addSamples = new long[ROUTERS];
                long[] removeSamples = new long[ROUTERS];
                for (int pass = -WARMUP; pass < rounds; pass++) {
                    InstanceRecord probe = record("probe" + (pass + WARMUP));
                    for (Watcher watcher : watchers) {
                        watcher.expect(probe.id(), true);
                    }
                    long start = System.nanoTime();
                    registry.register(probe);
                    for (int r = 0; r < ROUTERS; r++) {
                        addSamples[r] = watchers[r].await() - start;
                    }
                    long addBare = awaitAnchor(anchorSeen, "+" + probe.id()) - start;

                    for (Watcher watcher : watchers) {
                        watcher.expect(probe.id(), false);
                    }
                    start = System.nanoTime();
                    registry.unregister(probe);
                    for (int r = 0; r < ROUTERS; r++) {
                        removeSamples[r] = watchers[r].await() - start;
                    }
                    long removeBare = awaitAnchor(anchorSeen, "-" + probe.id()) - start;
                    if (pass >= 0) {
                        System.arraycopy(addSamples, 0, addRouters, pass * ROUTERS, ROUTERS);
                        System.arraycopy(removeSamples, 0, removeRouters, pass * ROUTERS, ROUTERS);
                        addAnchor[pass] = addBare;
                        removeAnchor[pass] = removeBare;
                    }
                }
                String mode = tls != null ? "secured + TLS" : secured ? "secured" : "open";
                row(size, mode, "register", addRouters, addAnchor);
                row(size, mode, "remove", removeRouters, removeAnchor);
            } finally {
                routers.forEach(VesselClient::close);
            }
        }
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

        void expect(String instanceId, boolean shouldBePresent) {
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
