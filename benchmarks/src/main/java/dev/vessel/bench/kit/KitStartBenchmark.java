package dev.vessel.bench.kit;

import dev.vessel.test.VesselTestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.curator.test.TestingServer;

/**
 * How long the test kit's clusters take to be ready and to close in a warm test JVM: what a user's suite pays per
 * test class ({@code @VesselTest}) or per method ({@code freshPerMethod = true}). Measured in the same run: Curator's
 * {@code TestingServer} (the embedded ZooKeeper most suites start), as the floor of any ZooKeeper-backed test.
 *
 * <p>Usage: {@code KitStartBenchmark [repeats=10]}. Prints median and maximum of each, in milliseconds.
 */
public final class KitStartBenchmark {
    private KitStartBenchmark() {}

    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        // the first class of a suite warms the JVM (class loading, JIT, Felix and Jetty start-up code)
        for (int i = 0; i < 2; i++) {
            VesselTestCluster.start(1, "warm-up").close();
        }
        List<Long> zooKeeper = new ArrayList<>();
        List<Long> oneNode = new ArrayList<>();
        List<Long> oneNodeClose = new ArrayList<>();
        List<Long> threeNodes = new ArrayList<>();
        List<Long> threeNodesClose = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            long started = System.nanoTime();
            try (TestingServer server = new TestingServer(true)) {
                zooKeeper.add(millisSince(started));
            }
            measure(1, oneNode, oneNodeClose);
            measure(3, threeNodes, threeNodesClose);
        }
        print("TestingServer start (baseline)", zooKeeper);
        print("1-node cluster ready", oneNode);
        print("1-node cluster closed", oneNodeClose);
        print("3-node cluster ready", threeNodes);
        print("3-node cluster closed", threeNodesClose);
        List<Long> perMethod = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            perMethod.add(oneNode.get(i) + oneNodeClose.get(i));
        }
        print("fresh 1-node cluster per method (ready + closed)", perMethod);
    }

    private static void measure(int nodes, List<Long> ready, List<Long> closed) {
        long started = System.nanoTime();
        VesselTestCluster cluster = VesselTestCluster.start(nodes, "bench");
        ready.add(millisSince(started));
        long closing = System.nanoTime();
        cluster.close();
        closed.add(millisSince(closing));
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void print(String what, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%-50s median %5d ms   max %5d ms   (%d runs)%n", what,
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), sorted.size());
    }
}
