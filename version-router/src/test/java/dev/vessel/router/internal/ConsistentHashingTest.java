package dev.vessel.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.VersionRanges;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.osgi.framework.VersionRange;

class ConsistentHashingTest {
    private static final VersionRange RANGE = VersionRanges.parse("[1.0,2.0)");

    private static List<InstanceRecord> instances(int count) {
        List<InstanceRecord> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(RoutingTableTest.instance("n" + i, "1.0.0", InstanceState.ACTIVE));
        }
        return list;
    }

    private static Map<String, String> placement(RoutingTable table, int keys) {
        Map<String, String> owners = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            owners.put("user-" + k, table.pick(RANGE, "user-" + k, Tried.NONE, 0, System.nanoTime()).record().id());
        }
        return owners;
    }

    @Test
    void onlyTheKeysOfARemovedInstanceMove() {
        List<InstanceRecord> ten = instances(10);
        Map<String, String> before = placement(RoutingTable.of(ten), 5000);
        String removed = ten.get(3).id();
        List<InstanceRecord> nine = new ArrayList<>(ten);
        nine.remove(3);
        Map<String, String> after = placement(RoutingTable.of(nine), 5000);

        int moved = 0;
        for (var entry : before.entrySet()) {
            if (entry.getValue().equals(removed)) {
                assertThat(after.get(entry.getKey())).isNotEqualTo(removed);
                moved++;
            } else {
                assertThat(after.get(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
            }
        }
        assertThat(moved).as("the removed instance owned a fair share of keys").isBetween(250, 750);
    }

    @Test
    void anAddedInstanceOnlyTakesKeysAndAnUnrelatedChangeMovesNone() {
        List<InstanceRecord> ten = instances(10);
        Map<String, String> before = placement(RoutingTable.of(ten), 5000);
        List<InstanceRecord> eleven = new ArrayList<>(ten);
        InstanceRecord added = RoutingTableTest.instance("n10", "1.0.0", InstanceState.ACTIVE);
        eleven.add(added);
        // a different version coming and going must not move any key of 1.x either
        eleven.add(RoutingTableTest.instance("n0", "2.0.0", InstanceState.ACTIVE));
        Map<String, String> after = placement(RoutingTable.of(eleven), 5000);
        int taken = 0;
        for (var entry : before.entrySet()) {
            String now = after.get(entry.getKey());
            if (!now.equals(entry.getValue())) {
                assertThat(now).isEqualTo(added.id());
                taken++;
            }
        }
        assertThat(taken).isBetween(200, 750);
    }

    @Test
    void sameKeySameInstanceAcrossTablesAndClients() {
        RoutingTable one = RoutingTable.of(instances(7));
        Map<String, String> first = placement(one, 1000); // builds one's ring
        RoutingTable other = RoutingTable.of(instances(7), RoutingPolicy.DEFAULT, new LoadBook(), null);
        assertThat(placement(other, 1000)).isEqualTo(first);
        // the next table of the same members takes the ring over; one with other members builds its own
        RoutingTable swapped = RoutingTable.of(instances(7), RoutingPolicy.DEFAULT, new LoadBook(), one);
        assertThat(placement(swapped, 1000)).isEqualTo(first);
        List<InstanceRecord> reordered = new ArrayList<>(instances(7));
        java.util.Collections.reverse(reordered); // same members, other indexes: the ring cannot be reused
        assertThat(placement(RoutingTable.of(reordered, RoutingPolicy.DEFAULT, new LoadBook(), one), 1000))
                .isEqualTo(first);
        RoutingTable grown = RoutingTable.of(instances(8), RoutingPolicy.DEFAULT, new LoadBook(), one);
        assertThat(placement(grown, 1000)).isEqualTo(placement(RoutingTable.of(instances(8)), 1000));
    }

    /**
     * Zipf-distributed keys (s = 1.1 over 10,000 keys: the hottest takes about 10 % of all calls) with 1,000 calls
     * in flight: no instance ever holds more than ⌈1.25 × average⌉ of them, where a plain ring overloads the hot
     * key's instance several times over.
     */
    @Test
    void boundedLoadHoldsUnderSkewedKeys() {
        int instances = 10;
        int window = 1000;
        RoutingTable bounded = RoutingTable.of(instances(instances), RoutingPolicy.DEFAULT, new LoadBook(), null);
        double worstBounded = peakOverAverage(bounded, instances, window, true);
        RoutingTable plain = RoutingTable.of(instances(instances), RoutingPolicy.DEFAULT.withLoadBound(1_000_000),
                new LoadBook(), null);
        double worstPlain = peakOverAverage(plain, instances, window, false);

        assertThat(worstBounded).isLessThanOrEqualTo(1.25 + (double) instances / window);
        assertThat(worstPlain).as("plain ring under the same keys").isGreaterThan(2 * worstBounded);
    }

    /** Runs a FIFO window of calls in flight; returns the highest in-flight count seen over the average. */
    private static double peakOverAverage(RoutingTable table, int instances, int window, boolean checkBound) {
        Zipf zipf = new Zipf(10_000, 1.1, new Random(42));
        ArrayDeque<Target> inFlight = new ArrayDeque<>();
        double worst = 0;
        for (int call = 0; call < 50_000; call++) {
            if (inFlight.size() == window) {
                inFlight.removeFirst().end();
            }
            Target target = table.pick(RANGE, "key-" + zipf.next(), Tried.NONE, 0, System.nanoTime());
            target.begin();
            inFlight.addLast(target);
            if (call >= window) {
                int held = target.stats().inFlight();
                worst = Math.max(worst, held / ((double) window / instances));
                if (checkBound) {
                    assertThat(held).isLessThanOrEqualTo((int) Math.ceil(1.25 * window / instances));
                }
            }
        }
        inFlight.forEach(Target::end);
        return worst;
    }

    /** Zipf sampler over ranks 1..n by inverse CDF. */
    static final class Zipf {
        private final double[] cdf;
        private final Random random;

        Zipf(int n, double s, Random random) {
            this.random = random;
            cdf = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += 1 / Math.pow(i + 1, s);
                cdf[i] = sum;
            }
            for (int i = 0; i < n; i++) {
                cdf[i] /= sum;
            }
        }

        int next() {
            int found = java.util.Arrays.binarySearch(cdf, random.nextDouble());
            return found >= 0 ? found : -found - 1;
        }
    }
}
