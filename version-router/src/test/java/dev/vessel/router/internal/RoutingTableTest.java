package dev.vessel.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.VersionRanges;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

class RoutingTableTest {
    private static InstanceRecord instance(String node, String version, InstanceState state) {
        return new InstanceRecord(node + ".greeter-" + version, "greeter", version, node, "greeter-" + version, "z",
                state, 100, "127.0.0.1", 7070);
    }

    private final RoutingTable table = RoutingTable.of(List.of(
            instance("a", "1.0.0", InstanceState.ACTIVE),
            instance("a", "1.1.0", InstanceState.ACTIVE),
            instance("b", "1.1.0", InstanceState.ACTIVE),
            instance("a", "1.2.0", InstanceState.DRAINING),
            instance("a", "2.0.0", InstanceState.ACTIVE)));

    @Test
    void picksTheHighestActiveVersionInRange() {
        assertThat(table.select(VersionRanges.parse("[1.0,2.0)"), Set.of()))
                .extracting(InstanceRecord::id)
                .containsExactlyInAnyOrder("a.greeter-1.1.0", "b.greeter-1.1.0");
        assertThat(table.select(VersionRanges.parse("[2.0,3.0)"), Set.of()))
                .extracting(InstanceRecord::version)
                .containsExactly("2.0.0");
        assertThat(table.select(VersionRanges.parse("[3.0,4.0)"), Set.of())).isEmpty();
        assertThat(table.versions()).containsExactly(
                Version.parseVersion("1.0.0"), Version.parseVersion("1.1.0"), Version.parseVersion("2.0.0"));
    }

    @Test
    void aCanaryGetsItsWeightInRollsAndTheNextVersionDownTheRest() {
        RoutingTable canary = RoutingTable.of(List.of(
                instance("a", "1.1.0", InstanceState.ACTIVE),
                new InstanceRecord("a.greeter-2.0.0", "greeter", "2.0.0", "a", "greeter-2.0.0", "z",
                        InstanceState.ACTIVE, 10, "127.0.0.1", 7070)));
        var both = VersionRanges.parse("[1.0,3.0)");
        int toCanary = 0;
        for (int roll = 0; roll < 100; roll++) {
            if (canary.select(both, Set.of(), roll).get(0).version().equals("2.0.0")) {
                toCanary++;
            }
        }
        assertThat(toCanary).isEqualTo(10);
        // a caller whose range admits only the canary always gets it
        assertThat(canary.select(VersionRanges.parse("[2.0,3.0)"), Set.of(), 99))
                .extracting(InstanceRecord::version).containsExactly("2.0.0");
    }

    @Test
    void fallsBackToTheNextVersionOnlyWhenEveryInstanceOfTheBestIsExcluded() {
        var range = VersionRanges.parse("[1.0,2.0)");
        assertThat(table.select(range, Set.of("a.greeter-1.1.0")))
                .extracting(InstanceRecord::id)
                .containsExactly("b.greeter-1.1.0");
        assertThat(table.select(range, Set.of("a.greeter-1.1.0", "b.greeter-1.1.0")))
                .extracting(InstanceRecord::id)
                .containsExactly("a.greeter-1.0.0");
    }
}
