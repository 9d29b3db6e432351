package dev.vessel.host.internal.quorum;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one next change that brings the live ensemble closer to the desired membership, or none. Pure: the quorum
 * manager gathers what it sees and executes what this returns, one change at a time, each conditional on the
 * configuration version it was computed from.
 *
 * <p>In order: remove a member unreachable past the threshold; add a member that asks to join (a voter once it
 * has followed in sync for the stabilization time while voters are short, else an observer); promote an
 * observer in sync while voters are short; demote voters beyond the desired count. Never a change after which the live voters are not a majority of the new voters,
 * and the leader is chosen last for removal or demotion.
 */
public final class QuorumPlanner {
    /**
     * What the manager sees of one member or candidate.
     *
     * @param member    its configuration entry (for a candidate, what it asks to join as)
     * @param zone      the zone of the node that runs it
     * @param reachable whether it answers now (its registration exists and it answers a probe)
     * @param since     since when it has been in its current reachable/unreachable state, epoch ms
     * @param synced    since when it has been following the leader without a break (epoch ms), or 0
     */
    public record Seen(QuorumMember member, String zone, boolean reachable, long since, long synced) {}

    /** The desired membership and its timing. */
    public record Desired(int voters, Duration stabilization, Duration removalThreshold) {}

    public sealed interface Step {
        /** Why, for the history and {@code vessel quorum status}. */
        String reason();
    }

    public record AddObserver(QuorumMember member, String reason) implements Step {}

    public record AddVoter(QuorumMember member, String reason) implements Step {}

    public record Promote(QuorumMember member, String reason) implements Step {}

    public record Demote(QuorumMember member, String reason) implements Step {}

    public record Remove(QuorumMember member, String reason) implements Step {}

    /**
     * Nothing can be done now; the reason says what is missing (an unmet desire is reported, not attempted), and
     * {@code pending} the changes under way that wait for time to pass.
     */
    public record Wait(String reason, List<Pending> pending) implements Step {
        public Wait {
            pending = List.copyOf(pending);
        }

        public Wait(String reason) {
            this(reason, List.of());
        }
    }

    /**
     * A change that will be made once a member has been unreachable (a removal) or in sync (a promotion or an
     * added voter) for {@code neededMs}; {@code elapsedMs} of that have passed.
     */
    public record Pending(String change, long server, long elapsedMs, long neededMs) {
        public String describe() {
            return describe("");
        }

        /** With the node that runs (or ran) the member, when known. */
        public String describe(String node) {
            String progress = String.format(java.util.Locale.ROOT, "%.1f s of %d s", elapsedMs / 1000.0,
                    neededMs / 1000);
            String who = "server " + server + (node == null || node.isEmpty() ? "" : " (node " + node + ")");
            if (change.equals("remove")) {
                return "remove " + who + ": unreachable " + progress + "; removed in "
                        + String.format(java.util.Locale.ROOT, "%.1f s", Math.max(0, neededMs - elapsedMs) / 1000.0)
                        + " unless it answers";
            }
            return change + " " + who + ": in sync " + progress;
        }
    }

    private QuorumPlanner() {}

    /**
     * @param live       the ensemble configuration
     * @param seen       every member of {@code live} and every candidate asking to join, by server id
     * @param leader     the current leader's id, or -1 if unknown
     */
    public static Step next(Desired desired, EnsembleView live, Map<Long, Seen> seen, long leader, long now) {
        Step step = decide(desired, live, seen, leader, now);
        if (step instanceof Wait wait) {
            return new Wait(wait.reason(), pending(desired, live, seen, now));
        }
        return step;
    }

    /**
     * Removals and promotions under way: unreachable members not yet past the threshold, and, while voters are
     * short, members in sync not yet for the stabilization time.
     */
    private static List<Pending> pending(Desired desired, EnsembleView live, Map<Long, Seen> seen, long now) {
        List<Pending> pending = new ArrayList<>();
        long threshold = desired.removalThreshold().toMillis();
        long stabilization = desired.stabilization().toMillis();
        boolean votersShort = live.voters().size() < target(desired, live, seen);
        for (Seen s : seen.values().stream().sorted(Comparator.comparing((Seen x) -> x.member().id())).toList()) {
            boolean member = live.members().containsKey(s.member().id());
            if (member && !s.reachable() && now - s.since() < threshold) {
                pending.add(new Pending("remove", s.member().id(), now - s.since(), threshold));
            } else if (votersShort && s.reachable() && s.synced() > 0 && now - s.synced() < stabilization
                    && !(member && s.member().voter())) {
                pending.add(new Pending(member ? "promote" : "add-voter", s.member().id(), now - s.synced(),
                        stabilization));
            }
        }
        return pending;
    }

    /**
     * The voters to aim for now: the desired number, or while fewer members can vote, the largest odd number they
     * allow (two voters would survive no more failures than one, and need both).
     */
    private static long target(Desired desired, EnsembleView live, Map<Long, Seen> seen) {
        long candidates = seen.values().stream().filter(x -> !live.members().containsKey(x.member().id())
                && x.reachable()).count();
        long eligible = live.members().size() + candidates;
        return eligible >= desired.voters() ? desired.voters() : Math.max(1, eligible % 2 == 1 ? eligible
                : eligible - 1);
    }

    private static Step decide(Desired desired, EnsembleView live, Map<Long, Seen> seen, long leader, long now) {
        Map<Long, QuorumMember> voters = live.voters();
        // 1. members gone for longer than the threshold
        List<QuorumMember> gone = new ArrayList<>();
        for (QuorumMember member : live.members().values()) {
            Seen s = seen.get(member.id());
            if (s != null && !s.reachable() && now - s.since() >= desired.removalThreshold().toMillis()) {
                gone.add(member);
            }
        }
        gone.sort(Comparator.comparing((QuorumMember m) -> m.id() == leader).thenComparing(QuorumMember::voter));
        for (QuorumMember member : gone) {
            if (!member.voter() || safeWithout(voters, seen, member.id())) {
                return new Remove(member, "unreachable for more than " + desired.removalThreshold().toSeconds()
                        + " s");
            }
        }
        long target = target(desired, live, seen);
        long eligible = live.members().size() + seen.values().stream().filter(x -> !live.members()
                .containsKey(x.member().id()) && x.reachable()).count();
        // 2. candidates that ask to join: a candidate runs as a follower without a vote (ZooKeeper lets a server
        // that is not in the configuration follow); it becomes a voter once in sync for the stabilization time
        // while voters are short, and an observer at once otherwise
        for (Seen s : seen.values()) {
            if (live.members().containsKey(s.member().id()) || !s.reachable()) {
                continue;
            }
            if (voters.size() >= target) {
                return new AddObserver(s.member().as(QuorumMember.Role.OBSERVER), "asks to join (zone " + s.zone()
                        + "); voters complete");
            }
            if (s.synced() > 0 && now - s.synced() >= desired.stabilization().toMillis()) {
                return new AddVoter(s.member().as(QuorumMember.Role.PARTICIPANT), "voters " + voters.size() + " of "
                        + target + "; following in sync for " + desired.stabilization().toSeconds()
                        + " s (zone " + s.zone() + ")");
            }
        }
        // 3. promote while voters are short
        if (voters.size() < target) {
            // the voters there are must carry the change alone: an observer does not acknowledge the proposal
            // that makes it a voter (ZooKeeper answers NewConfigNoQuorum)
            long liveVoters = voters.keySet().stream().filter(v -> seen.containsKey(v) && seen.get(v).reachable())
                    .count();
            boolean carried = liveVoters > (voters.size() + 1) / 2;
            Optional<Seen> best = live.members().values().stream().filter(m -> !m.voter() && carried)
                    .map(m -> seen.get(m.id())).filter(s -> s != null && s.reachable() && s.synced() > 0
                            && now - s.synced() >= desired.stabilization().toMillis())
                    .min(Comparator.comparing((Seen s) -> votersInZone(voters, seen, s.zone()))
                            .thenComparing(s -> s.member().id()));
            if (best.isPresent()) {
                return new Promote(best.get().member().as(QuorumMember.Role.PARTICIPANT), "voters "
                        + voters.size() + " of " + target + "; in sync for "
                        + desired.stabilization().toSeconds() + " s");
            }
            return new Wait("want " + target + " voters; members that could vote are not yet in sync"
                    + " for " + desired.stabilization().toSeconds() + " s");
        }
        if (voters.size() == target && target < desired.voters()) {
            return new Wait("want " + desired.voters() + " voters, " + eligible + " eligible member(s): "
                    + voters.size() + " voter(s) until more join; not attempted");
        }
        // 4. demote beyond the desired count
        if (voters.size() > desired.voters()) {
            Optional<QuorumMember> extra = voters.values().stream().filter(m -> safeWithout(voters, seen, m.id()))
                    .max(Comparator.comparing((QuorumMember m) -> m.id() != leader)
                            .thenComparing(m -> votersInZone(voters, seen, zone(seen, m.id())))
                            .thenComparing(QuorumMember::id));
            if (extra.isPresent()) {
                return new Demote(extra.get().as(QuorumMember.Role.OBSERVER), "voters " + voters.size() + " of "
                        + desired.voters());
            }
        }
        String shape = voters.size() + " voter(s), " + (live.members().size() - voters.size()) + " observer(s)";
        List<Long> unreachable = live.members().keySet().stream()
                .filter(id -> seen.containsKey(id) && !seen.get(id).reachable()).sorted().toList();
        if (!unreachable.isEmpty()) {
            return new Wait(shape + "; server(s) " + unreachable + " unreachable: removed once unreachable for "
                    + desired.removalThreshold().toSeconds() + " s, unless they answer");
        }
        return new Wait("the ensemble matches: " + shape);
    }

    /** Whether the voters without {@code id} that answer are still a majority of the voters without it. */
    static boolean safeWithout(Map<Long, QuorumMember> voters, Map<Long, Seen> seen, long id) {
        Set<Long> after = new java.util.HashSet<>(voters.keySet());
        after.remove(id);
        if (after.isEmpty()) {
            return false;
        }
        long live = after.stream().filter(v -> seen.containsKey(v) && seen.get(v).reachable()).count();
        return live > after.size() / 2;
    }

    private static long votersInZone(Map<Long, QuorumMember> voters, Map<Long, Seen> seen, String zone) {
        Map<String, Long> byZone = new HashMap<>();
        for (long id : voters.keySet()) {
            byZone.merge(zone(seen, id), 1L, Long::sum);
        }
        return byZone.getOrDefault(zone, 0L);
    }

    private static String zone(Map<Long, Seen> seen, long id) {
        Seen s = seen.get(id);
        return s == null ? "" : s.zone();
    }
}
