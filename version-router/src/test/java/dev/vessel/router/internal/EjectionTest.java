package dev.vessel.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.VersionRanges;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.VersionRange;

/** Ejection bookkeeping on a table, with time passed in so intervals are exact. */
class EjectionTest {
    private static final VersionRange RANGE = VersionRanges.parse("[1.0,2.0)");
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private static RoutingTable table(int instances) {
        List<InstanceRecord> list = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            list.add(RoutingTableTest.instance("n" + i, "1.0.0", InstanceState.ACTIVE));
        }
        return RoutingTable.of(list);
    }

    private static Target target(RoutingTable table, String node) {
        Tried none = Tried.NONE;
        for (int attempt = 0; attempt < 1000; attempt++) {
            Target t = table.pick(RANGE, "probe-" + attempt, none, 0, 0);
            if (t.record().node().equals(node)) {
                return t;
            }
        }
        throw new AssertionError("no key landed on " + node);
    }

    private static void fail(Target target, int times, long now) {
        for (int i = 0; i < times; i++) {
            target.failed(now);
        }
    }

    @Test
    void threeFailuresInARowEjectForAGrowingIntervalThenTheInstanceReturns() {
        RoutingTable table = table(4);
        Target bad = target(table, "n1");
        long t0 = 0;
        fail(bad, 2, t0);
        bad.succeeded(t0); // a success in between resets the count
        fail(bad, 2, t0);
        assertThat(table.ejected(t0)).isEmpty();
        assertThat(bad.failed(t0)).isTrue();
        assertThat(table.ejected(t0)).containsExactly(bad.record().id());
        for (int i = 0; i < 200; i++) {
            Target picked = table.pick(RANGE, null, Tried.NONE, 0, t0 + SECOND / 2);
            assertThat(picked.record().id()).isNotEqualTo(bad.record().id());
        }
        // keyed calls for the ejected instance's keys go to the next instance on the ring meanwhile
        assertThat(table.pick(RANGE, "probe-x", Tried.NONE, 0, t0 + SECOND / 2).record().node()).isNotEqualTo("n1");

        long back = t0 + SECOND;
        assertThat(table.ejected(back)).isEmpty();
        // failing again right after its return: the second ejection lasts twice as long
        fail(bad, 3, back);
        assertThat(table.ejected(back + 2 * SECOND - 1)).containsExactly(bad.record().id());
        assertThat(table.ejected(back + 2 * SECOND)).isEmpty();
        // healthy for a whole base interval after returning: the next ejection is short again
        long healthy = back + 2 * SECOND + SECOND + 1;
        bad.succeeded(healthy);
        fail(bad, 3, healthy);
        assertThat(table.ejected(healthy + SECOND - 1)).containsExactly(bad.record().id());
        assertThat(table.ejected(healthy + SECOND)).isEmpty();
    }

    @Test
    void intervalsStopGrowingAtTheMaximum() {
        RoutingTable table = RoutingTable.of(List.of(
                        RoutingTableTest.instance("n0", "1.0.0", InstanceState.ACTIVE),
                        RoutingTableTest.instance("n1", "1.0.0", InstanceState.ACTIVE)),
                RoutingPolicy.DEFAULT.withEjection(1, Duration.ofSeconds(1), Duration.ofSeconds(5), 0.5),
                new LoadBook(), null);
        Target bad = target(table, "n0");
        long now = 0;
        long[] expected = {1, 2, 4, 5, 5};
        for (long seconds : expected) {
            assertThat(bad.failed(now)).isTrue();
            assertThat(table.ejected(now + seconds * SECOND - 1)).hasSize(1);
            now += seconds * SECOND;
            assertThat(table.ejected(now)).isEmpty();
        }
    }

    @Test
    void neverMoreThanTheMaximumShareIsEjected() {
        RoutingTable table = table(4); // default share 0.5: at most two of four
        long now = 0;
        for (int node = 0; node < 4; node++) {
            fail(target(table, "n" + node), 3, now);
        }
        assertThat(table.ejected(now)).hasSize(2);
        for (int i = 0; i < 100; i++) {
            assertThat(table.pick(RANGE, null, Tried.NONE, 0, now)).isNotNull();
        }
        // a single instance is never ejected: that would only turn its errors into refusals
        RoutingTable single = table(1);
        fail(target(single, "n0"), 10, now);
        assertThat(single.ejected(now)).isEmpty();
    }

    @Test
    void ejectionSurvivesARoutingTableSwap() {
        LoadBook book = new LoadBook();
        List<InstanceRecord> members = List.of(
                RoutingTableTest.instance("n0", "1.0.0", InstanceState.ACTIVE),
                RoutingTableTest.instance("n1", "1.0.0", InstanceState.ACTIVE));
        RoutingTable before = RoutingTable.of(members, RoutingPolicy.DEFAULT, book, null);
        fail(target(before, "n0"), 3, 0);
        RoutingTable after = RoutingTable.of(members, RoutingPolicy.DEFAULT, book, before);
        assertThat(after.ejected(1)).containsExactly("n0.greeter-1.0.0");
    }
}
