package dev.vessel.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.VersionRanges;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

class RoutingTableTest {
    static InstanceRecord instance(String node, String version, InstanceState state) {
        return new InstanceRecord(node + ".greeter-" + version, "greeter", version, node, "greeter-" + version, "z",
                state, 100, "127.0.0.1", 7070);
    }

    private final RoutingTable table = RoutingTable.of(List.of(
            instance("a", "1.0.0", InstanceState.ACTIVE),
            instance("a", "1.1.0", InstanceState.ACTIVE),
            instance("b", "1.1.0", InstanceState.ACTIVE),
            instance("a", "1.2.0", InstanceState.DRAINING),
            instance("a", "2.0.0", InstanceState.ACTIVE)));

    private static String pick(RoutingTable table, VersionRange range, Tried tried) {
        Target target = table.pick(range, null, tried, 0, System.nanoTime());
        return target == null ? null : target.record().id();
    }

    @Test
    void picksTheHighestActiveVersionInRange() {
        for (int i = 0; i < 20; i++) {
            assertThat(pick(table, VersionRanges.parse("[1.0,2.0)"), Tried.NONE))
                    .isIn("a.greeter-1.1.0", "b.greeter-1.1.0");
        }
        assertThat(pick(table, VersionRanges.parse("[2.0,3.0)"), Tried.NONE)).isEqualTo("a.greeter-2.0.0");
        assertThat(pick(table, VersionRanges.parse("[3.0,4.0)"), Tried.NONE)).isNull();
        assertThat(table.resolve(VersionRanges.parse("[1.0,2.0)"))).contains(Version.parseVersion("1.1.0"));
        assertThat(table.versions()).containsExactly(
                Version.parseVersion("1.0.0"), Version.parseVersion("1.1.0"), Version.parseVersion("2.0.0"));
    }

    @Test
    void aCanaryGetsItsWeightInRollsAndTheNextVersionDownTheRest() {
        RoutingTable canary = RoutingTable.of(List.of(
                instance("a", "1.1.0", InstanceState.ACTIVE),
                instance("a", "2.0.0", InstanceState.ACTIVE).withWeight(10)));
        var both = VersionRanges.parse("[1.0,3.0)");
        int toCanary = 0;
        for (int roll = 0; roll < 100; roll++) {
            if (canary.pick(both, null, Tried.NONE, roll, System.nanoTime()).record().version().equals("2.0.0")) {
                toCanary++;
            }
        }
        assertThat(toCanary).isEqualTo(10);
        // a caller whose range admits only the canary always gets it
        assertThat(canary.pick(VersionRanges.parse("[2.0,3.0)"), null, Tried.NONE, 99, System.nanoTime())
                .record().version()).isEqualTo("2.0.0");
        assertThat(canary.resolve(both)).contains(Version.parseVersion("2.0.0"));
    }

    @Test
    void fallsBackToTheNextVersionOnlyWhenEveryInstanceOfTheBestIsExcluded() {
        var range = VersionRanges.parse("[1.0,2.0)");
        Tried tried = new Tried(3);
        Target first = table.pick(range, null, tried, 0, System.nanoTime());
        tried.add(first);
        Target second = table.pick(range, null, tried, 0, System.nanoTime());
        assertThat(second.record().version()).isEqualTo("1.1.0");
        assertThat(second.record().id()).isNotEqualTo(first.record().id());
        tried.add(second);
        assertThat(pick(table, range, tried)).isEqualTo("a.greeter-1.0.0");
    }

    @Test
    void powerOfTwoChoicesPrefersTheInstanceWithFewerCallsInFlight() {
        RoutingTable two = RoutingTable.of(List.of(
                instance("a", "1.0.0", InstanceState.ACTIVE), instance("b", "1.0.0", InstanceState.ACTIVE)));
        var range = VersionRanges.parse("[1.0,2.0)");
        Target busy = two.pick(range, null, Tried.NONE, 0, System.nanoTime());
        busy.begin();
        for (int i = 0; i < 50; i++) {
            assertThat(pick(two, range, Tried.NONE)).isNotEqualTo(busy.record().id());
        }
        busy.end();
    }

    @Test
    void powerOfTwoChoicesCountsTheLoadANodePublished() {
        RoutingTable published = RoutingTable.of(List.of(
                instance("a", "1.0.0", InstanceState.ACTIVE).withLoad(3.5),
                instance("b", "1.0.0", InstanceState.ACTIVE).withLoad(0.2)));
        for (int i = 0; i < 50; i++) {
            assertThat(pick(published, VersionRanges.parse("[1.0,2.0)"), Tried.NONE)).isEqualTo("b.greeter-1.0.0");
        }
    }

    @Test
    void loadsLessThanOneCallApartDoNotHerdCallsOntoOneInstance() {
        RoutingTable published = RoutingTable.of(List.of(
                instance("a", "1.0.0", InstanceState.ACTIVE).withLoad(0.05),
                instance("b", "1.0.0", InstanceState.ACTIVE)));
        java.util.Map<String, Integer> picks = new java.util.HashMap<>();
        for (int i = 0; i < 400; i++) {
            picks.merge(pick(published, VersionRanges.parse("[1.0,2.0)"), Tried.NONE), 1, Integer::sum);
        }
        assertThat(picks.get("a.greeter-1.0.0")).isBetween(120, 280); // a fair coin: mean 200, σ 10
        assertThat(picks.get("b.greeter-1.0.0")).isBetween(120, 280);
    }

    @Test
    void callsInFlightSurviveATableSwap() {
        LoadBook book = new LoadBook();
        List<InstanceRecord> members = List.of(
                instance("a", "1.0.0", InstanceState.ACTIVE), instance("b", "1.0.0", InstanceState.ACTIVE));
        RoutingTable before = RoutingTable.of(members, RoutingPolicy.DEFAULT, book, null);
        Target busy = before.pick(VersionRanges.parse("[1.0,2.0)"), null, Tried.NONE, 0, System.nanoTime());
        busy.begin();
        RoutingTable after = RoutingTable.of(members, RoutingPolicy.DEFAULT, book, before);
        for (int i = 0; i < 50; i++) {
            assertThat(pick(after, VersionRanges.parse("[1.0,2.0)"), Tried.NONE)).isNotEqualTo(busy.record().id());
        }
        busy.end();
    }
}
