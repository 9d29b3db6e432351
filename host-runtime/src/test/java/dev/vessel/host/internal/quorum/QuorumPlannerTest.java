package dev.vessel.host.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.internal.quorum.QuorumMember.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quorum manager's decisions, one step at a time, from what it sees. */
class QuorumPlannerTest {
    private static final QuorumPlanner.Desired THREE = new QuorumPlanner.Desired(3, Duration.ofSeconds(10),
            Duration.ofSeconds(30));
    private static final long NOW = 1_000_000;

    private static QuorumMember member(long id, Role role) {
        return new QuorumMember(id, "127.0.0.1", (int) (10_000 + id), (int) (11_000 + id), (int) (12_000 + id), role);
    }

    private static EnsembleView ensemble(QuorumMember... members) {
        StringBuilder config = new StringBuilder();
        for (QuorumMember m : members) {
            config.append(m.line()).append('\n');
        }
        config.append("version=100000007\n");
        return EnsembleView.parse(config.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static QuorumPlanner.Seen up(QuorumMember m, String zone, long syncedFor) {
        return new QuorumPlanner.Seen(m, zone, true, NOW - 60_000, syncedFor < 0 ? 0 : NOW - syncedFor);
    }

    private static QuorumPlanner.Seen down(QuorumMember m, long downFor) {
        return new QuorumPlanner.Seen(m, "a", false, NOW - downFor, 0);
    }

    @Test
    void theConfigurationIsReadByZooKeepersOwnParser() {
        EnsembleView view = ensemble(member(1, Role.PARTICIPANT), member(2, Role.OBSERVER));
        assertThat(view.version()).isEqualTo(0x100000007L);
        assertThat(view.members().get(2L)).isEqualTo(member(2, Role.OBSERVER));
        assertThat(view.voters()).containsOnlyKeys(1L);
        assertThat(view.connectString()).isEqualTo("127.0.0.1:12001,127.0.0.1:12002");
    }

    @Test
    void growsOneStepAtATimeFromOneVoterToThree() {
        QuorumMember one = member(1, Role.PARTICIPANT);
        QuorumMember two = member(2, Role.PARTICIPANT);
        QuorumMember three = member(3, Role.PARTICIPANT);
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        seen.put(1L, up(one, "a", 60_000));
        seen.put(2L, up(two, "b", 5_000));
        // with two eligible members the second becomes an observer: two voters would tolerate no more than one
        assertThat(QuorumPlanner.next(THREE, ensemble(one), seen, 1, NOW)).isEqualTo(new QuorumPlanner.AddObserver(
                two.as(Role.OBSERVER), "asks to join (zone b); voters complete"));
        // with three, a candidate is not made a voter before it has followed in sync for the stabilization time
        seen.put(3L, up(three, "c", 5_000));
        // ... and the wait shows how far each one is
        assertThat(QuorumPlanner.next(THREE, ensemble(one), seen, 1, NOW)).isEqualTo(new QuorumPlanner.Wait(
                "want 3 voters; members that could vote are not yet in sync for 10 s", java.util.List.of(
                        new QuorumPlanner.Pending("add-voter", 2, 5_000, 10_000),
                        new QuorumPlanner.Pending("add-voter", 3, 5_000, 10_000))));
        assertThat(new QuorumPlanner.Pending("add-voter", 2, 5_000, 10_000).describe())
                .isEqualTo("add-voter server 2: in sync 5.0 s of 10 s");
        seen.put(2L, up(two, "b", 10_000));
        assertThat(QuorumPlanner.next(THREE, ensemble(one), seen, 1, NOW)).isEqualTo(new QuorumPlanner.AddVoter(two,
                "voters 1 of 3; following in sync for 10 s (zone b)"));
        seen.put(3L, up(three, "c", 10_000));
        seen.put(3L, up(three, "c", 10_000));
        assertThat(QuorumPlanner.next(THREE, ensemble(one, two), seen, 1, NOW)).isInstanceOf(QuorumPlanner.AddVoter.class)
                .extracting(step -> ((QuorumPlanner.AddVoter) step).member()).isEqualTo(three);
        // voters complete: a further candidate becomes an observer at once
        QuorumMember four = member(4, Role.PARTICIPANT);
        seen.put(4L, up(four, "a", -1));
        assertThat(QuorumPlanner.next(THREE, ensemble(one, two, three), seen, 1, NOW))
                .isEqualTo(new QuorumPlanner.AddObserver(four.as(Role.OBSERVER), "asks to join (zone a); voters complete"));
    }

    @Test
    void anObserverIsPromotedOnlyWhenTheVotersThereAreCanCarryTheChange() {
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        seen.put(1L, up(member(1, Role.PARTICIPANT), "a", 60_000));
        seen.put(2L, up(member(2, Role.OBSERVER), "b", 60_000));
        assertThat(QuorumPlanner.next(THREE, ensemble(member(1, Role.PARTICIPANT), member(2, Role.OBSERVER)), seen, 1,
                NOW)).isInstanceOf(QuorumPlanner.Wait.class);
    }

    @Test
    void promotesTheObserverInTheZoneWithFewestVoters() {
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        seen.put(1L, up(member(1, Role.PARTICIPANT), "a", 60_000));
        seen.put(2L, up(member(2, Role.PARTICIPANT), "a", 60_000));
        seen.put(3L, up(member(3, Role.OBSERVER), "a", 60_000));
        seen.put(4L, up(member(4, Role.OBSERVER), "b", 60_000));
        QuorumPlanner.Step step = QuorumPlanner.next(THREE, ensemble(member(1, Role.PARTICIPANT),
                member(2, Role.PARTICIPANT), member(3, Role.OBSERVER), member(4, Role.OBSERVER)), seen, 1, NOW);
        assertThat(step).isEqualTo(new QuorumPlanner.Promote(member(4, Role.PARTICIPANT),
                "voters 2 of 3; in sync for 10 s"));
    }

    @Test
    void aVoterGonePastTheThresholdIsRemovedThenReplaced() {
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        seen.put(1L, up(member(1, Role.PARTICIPANT), "a", 60_000));
        seen.put(2L, up(member(2, Role.PARTICIPANT), "b", 60_000));
        seen.put(3L, down(member(3, Role.PARTICIPANT), 20_000));
        seen.put(4L, up(member(4, Role.OBSERVER), "c", 60_000));
        EnsembleView live = ensemble(member(1, Role.PARTICIPANT), member(2, Role.PARTICIPANT),
                member(3, Role.PARTICIPANT), member(4, Role.OBSERVER));
        assertThat(QuorumPlanner.next(THREE, live, seen, 1, NOW)).as("not before the threshold, and counting")
                .isInstanceOf(QuorumPlanner.Wait.class)
                .extracting(step -> ((QuorumPlanner.Wait) step).pending())
                .isEqualTo(java.util.List.of(new QuorumPlanner.Pending("remove", 3, 20_000, 30_000)));
        assertThat(new QuorumPlanner.Pending("remove", 3, 20_000, 30_000).describe())
                .isEqualTo("remove server 3: unreachable 20.0 s of 30 s; removed in 10.0 s unless it answers");
        assertThat(new QuorumPlanner.Pending("remove", 3, 20_000, 30_000).describe("node-3"))
                .isEqualTo("remove server 3 (node node-3): unreachable 20.0 s of 30 s; removed in 10.0 s unless it"
                        + " answers");
        assertThat(((QuorumPlanner.Wait) QuorumPlanner.next(THREE, live, seen, 1, NOW)).reason())
                .as("not reported as matching while a member is unreachable")
                .isEqualTo("3 voter(s), 1 observer(s); server(s) [3] unreachable: removed once unreachable for 30 s,"
                        + " unless they answer");
        seen.put(3L, down(member(3, Role.PARTICIPANT), 30_000));
        assertThat(QuorumPlanner.next(THREE, live, seen, 1, NOW)).isInstanceOf(QuorumPlanner.Remove.class)
                .extracting(step -> ((QuorumPlanner.Remove) step).member().id()).isEqualTo(3L);
        EnsembleView after = ensemble(member(1, Role.PARTICIPANT), member(2, Role.PARTICIPANT),
                member(4, Role.OBSERVER));
        assertThat(QuorumPlanner.next(THREE, after, seen, 1, NOW)).isInstanceOf(QuorumPlanner.Promote.class)
                .extracting(step -> ((QuorumPlanner.Promote) step).member().id()).isEqualTo(4L);
    }

    @Test
    void neverARemovalThatLeavesTheLiveVotersWithoutAMajority() {
        // five voters, two down at once: removing one leaves 3 live of 4, fine; then 3 live of 3
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        for (long id = 1; id <= 3; id++) {
            seen.put(id, up(member(id, Role.PARTICIPANT), "a", 60_000));
        }
        seen.put(4L, down(member(4, Role.PARTICIPANT), 60_000));
        seen.put(5L, down(member(5, Role.PARTICIPANT), 60_000));
        QuorumMember[] five = new QuorumMember[5];
        for (int i = 0; i < 5; i++) {
            five[i] = member(i + 1, Role.PARTICIPANT);
        }
        QuorumPlanner.Desired fiveVoters = new QuorumPlanner.Desired(5, Duration.ofSeconds(10), Duration.ofSeconds(30));
        assertThat(QuorumPlanner.next(fiveVoters, ensemble(five), seen, 1, NOW)).isInstanceOf(QuorumPlanner.Remove.class);
        // three voters, two down: no removal could keep a live majority, so none is made
        seen.put(2L, down(member(2, Role.PARTICIPANT), 60_000));
        seen.put(3L, down(member(3, Role.PARTICIPANT), 60_000));
        QuorumPlanner.Step step = QuorumPlanner.next(THREE, ensemble(five[0], five[1], five[2]), seen, 1, NOW);
        assertThat(step).isInstanceOf(QuorumPlanner.Wait.class);
    }

    @Test
    void aDesireThatCannotBeMetIsReportedNotAttempted() {
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        for (long id = 1; id <= 3; id++) {
            seen.put(id, up(member(id, Role.PARTICIPANT), "a", 60_000));
        }
        QuorumPlanner.Desired five = new QuorumPlanner.Desired(5, Duration.ofSeconds(10), Duration.ofSeconds(30));
        assertThat(QuorumPlanner.next(five, ensemble(member(1, Role.PARTICIPANT), member(2, Role.PARTICIPANT),
                member(3, Role.PARTICIPANT)), seen, 1, NOW))
                .isEqualTo(new QuorumPlanner.Wait("want 5 voters, 3 eligible member(s): 3 voter(s) until more join;"
                        + " not attempted"));
    }

    @Test
    void extraVotersAreDemotedLeaderLast() {
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        QuorumMember[] four = new QuorumMember[4];
        for (int i = 0; i < 4; i++) {
            four[i] = member(i + 1, Role.PARTICIPANT);
            seen.put(i + 1L, up(four[i], "a", 60_000));
        }
        QuorumPlanner.Step step = QuorumPlanner.next(THREE, ensemble(four), seen, 4, NOW);
        assertThat(step).isInstanceOf(QuorumPlanner.Demote.class)
                .extracting(s -> ((QuorumPlanner.Demote) s).member().id()).isNotEqualTo(4L);
    }
}
