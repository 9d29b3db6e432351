package dev.vessel.bench.router;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.VersionRanges;
import dev.vessel.router.internal.LoadBook;
import dev.vessel.router.internal.RoutingPolicy;
import dev.vessel.router.internal.RoutingTable;
import dev.vessel.router.internal.Target;
import dev.vessel.router.internal.Tried;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceProvider;
import org.apache.curator.x.discovery.strategies.RoundRobinStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.osgi.framework.VersionRange;

/**
 * The cost of choosing the instance for one call, with 10, 100 and 1,000 instances of the chosen version, from
 * Vessel's routing table (power of two choices; bounded-load ring with a key) and, as the anchor, from Curator
 * x-discovery's {@code ServiceProvider.getInstance()} with its round-robin strategy over its own watched cache.
 * The table also holds two older versions, so the version choice is part of every pick.
 *
 * <p>Run with {@code benchmarks/run-router-pick.sh}; {@code -prof gc} reports bytes allocated per pick.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {
    private static final VersionRange RANGE = VersionRanges.parse("[1.0,2.0)");
    private static final int KEYS = 4096;

    @Param({"10", "100", "1000"})
    int instances;

    private RoutingTable table;
    private String[] keys;
    private int nextKey;
    private TestingServer zk;
    private CuratorFramework curator;
    private ServiceDiscovery<Void> discovery;
    private ServiceProvider<Void> provider;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        List<InstanceRecord> records = new ArrayList<>();
        for (String version : new String[] {"1.0.0", "1.1.0"}) {
            for (int i = 0; i < 3; i++) {
                records.add(record("old" + i, version));
            }
        }
        for (int i = 0; i < instances; i++) {
            records.add(record("n" + i, "1.2.0"));
        }
        table = RoutingTable.of(records, RoutingPolicy.DEFAULT, new LoadBook(), null);
        keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "user-" + i;
        }
        table.pick(RANGE, keys[0], Tried.NONE, 0, System.nanoTime()); // builds the ring outside the measurement

        zk = new TestingServer(true);
        curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        curator.start();
        curator.blockUntilConnected();
        discovery = ServiceDiscoveryBuilder.builder(Void.class).client(curator).basePath("/bench").build();
        discovery.start();
        for (int i = 0; i < instances; i++) {
            discovery.registerService(ServiceInstance.<Void>builder().name("greeter").id("n" + i)
                    .address("127.0.0.1").port(7000 + i).build());
        }
        provider = discovery.serviceProviderBuilder().serviceName("greeter")
                .providerStrategy(new RoundRobinStrategy<>()).build();
        provider.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (provider.getAllInstances().size() < instances) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Curator's cache never saw all " + instances + " instances");
            }
            Thread.onSpinWait();
        }
    }

    private static InstanceRecord record(String node, String version) {
        return new InstanceRecord(node + ".greeter-" + version, "greeter", version, node, "greeter-" + version,
                "z", InstanceState.ACTIVE, 100, "127.0.0.1", 7070);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        provider.close();
        discovery.close();
        curator.close();
        zk.close();
    }

    @Benchmark
    public Target vesselLeastLoaded() {
        return table.pick(RANGE, null, Tried.NONE, 0, System.nanoTime());
    }

    @Benchmark
    public Target vesselByKey() {
        String key = keys[nextKey++ & (KEYS - 1)];
        return table.pick(RANGE, key, Tried.NONE, 0, System.nanoTime());
    }

    @Benchmark
    public ServiceInstance<Void> curatorRoundRobin() throws Exception {
        return provider.getInstance();
    }
}
