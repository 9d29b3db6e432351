package dev.vessel.bench.router;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.VersionRanges;
import dev.vessel.router.internal.LoadBook;
import dev.vessel.router.internal.RoutingPolicy;
import dev.vessel.router.internal.RoutingTable;
import dev.vessel.router.internal.Target;
import dev.vessel.router.internal.Tried;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntSupplier;
import org.osgi.framework.VersionRange;

/**
 * How evenly keyed calls spread over instances: max/average of the calls each instance received, for uniform and
 * Zipf-distributed keys, on a plain consistent-hash ring (several virtual-node counts) and on Vessel's bounded-load
 * ring (ε = 0.25), all in one run with the same key streams. Calls complete in FIFO order with a fixed number in
 * flight, which is the load bounded-load hashing sees. Deterministic: fixed seeds, no timing.
 *
 * <p>Arguments: calls per instance (default 10,000, so sampling noise stays near 1 %), calls in flight per
 * instance (default 100).
 */
public final class LoadSpread {
    private static final VersionRange RANGE = VersionRanges.parse("[1.0,2.0)");

    private LoadSpread() {}

    public static void main(String[] args) {
        int callsPerInstance = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int perInstance = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        System.out.printf("%d calls per instance, %d calls in flight per instance, FIFO completion%n%n",
                callsPerInstance, perInstance);
        System.out.println("| instances | keys | ring | virtual nodes | max/avg calls | max/avg in flight (peak) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int instances : new int[] {10, 100}) {
            int calls = callsPerInstance * instances;
            for (String keys : new String[] {"uniform", "zipf-1.1"}) {
                for (int vnodes : new int[] {50, 100, 200, 400, 1000}) {
                    report(instances, keys, "plain", vnodes, RoutingPolicy.DEFAULT.withVirtualNodes(vnodes)
                            .withLoadBound(1e9), calls, perInstance);
                }
                report(instances, keys, "bounded ε=0.25", 200, RoutingPolicy.DEFAULT, calls, perInstance);
            }
        }
    }

    private static void report(int instances, String keys, String ring, int vnodes, RoutingPolicy policy, int calls,
            int perInstance) {
        List<InstanceRecord> records = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            records.add(new InstanceRecord("n" + i + ".greeter-1.0.0", "greeter", "1.0.0", "n" + i, "greeter-1.0.0",
                    "z", InstanceState.ACTIVE, 100, "127.0.0.1", 7070));
        }
        RoutingTable table = RoutingTable.of(records, policy, new LoadBook(), null);
        IntSupplier keyStream = keys.equals("uniform") ? uniform(new Random(7)) : zipf(10_000, 1.1, new Random(7));
        int window = perInstance * instances;
        ArrayDeque<Target> inFlight = new ArrayDeque<>(window);
        Map<String, int[]> received = new HashMap<>();
        double peakInFlight = 0;
        for (int call = 0; call < calls + window; call++) {
            if (inFlight.size() == window) {
                inFlight.removeFirst().end();
            }
            Target target = table.pick(RANGE, "key-" + keyStream.getAsInt(), Tried.NONE, 0, 0);
            target.begin();
            inFlight.addLast(target);
            if (call >= window) { // count once the window is full: the steady state
                received.computeIfAbsent(target.record().id(), id -> new int[1])[0]++;
                peakInFlight = Math.max(peakInFlight, target.inFlight() / (double) perInstance);
            }
        }
        inFlight.forEach(Target::end);
        int max = received.values().stream().mapToInt(c -> c[0]).max().orElse(0);
        double average = (double) calls / instances;
        System.out.printf("| %d | %s | %s | %d | %.3f | %.3f |%n", instances, keys, ring, vnodes, max / average,
                peakInFlight);
    }

    private static IntSupplier uniform(Random random) {
        return () -> random.nextInt(1_000_000);
    }

    /** Zipf over ranks 0..n-1 with exponent s, by inverse CDF; s = 1.1 over 10,000 keys gives the top key ~10 %. */
    private static IntSupplier zipf(int n, double s, Random random) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return () -> {
            int found = Arrays.binarySearch(cdf, random.nextDouble());
            return found >= 0 ? found : -found - 1;
        };
    }
}
