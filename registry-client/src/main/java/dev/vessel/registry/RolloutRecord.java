package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.vessel.registry.internal.RecordJson;
import java.util.ArrayList;
import java.util.List;

/**
 * A release of a service going online under a rollout rule, as the cluster's rollout driver records it at
 * {@code {root}/rollouts/{service}}: the rule it follows, the step it is at and since when, every evaluation of its
 * gates and every step it took. The record of a service's last rollout stays after it ends, until the next one.
 *
 * @param version           the release being rolled out (the canary)
 * @param baseline          the version it is measured against and replaces: the highest lower version of the same
 *                          major deployed when it started; null when there is none
 * @param rule              the rule's text, as checked when the rollout started
 * @param ruleSource        where the rule came from ({@code revision 3 of the service's rule}, a file name)
 * @param phase             where it stands
 * @param step              the step it is at, from 0; a rollout that is {@link Phase#STARTING} is at step 0
 * @param stepSince         when the step began (ms since the epoch; 0 while starting)
 * @param failedEvaluations failed evaluations so far; the rule's failure limit ends the rollout
 * @param promoteAsked      a person asked to go to the next step now ({@code vessel rollout promote})
 * @param outcome           how it ended, in words (which gate, its value and threshold); null while it runs
 * @param evaluations       the latest evaluations, oldest first, at most {@link #EVALUATION_LIMIT}
 * @param events            the steps taken and what people did, oldest first
 */
public record RolloutRecord(String service, String version, String baseline, String rule, String ruleSource,
        Phase phase, int step, long stepSince, long startedAt, long endedAt, int failedEvaluations,
        boolean promoteAsked, String by, @JsonInclude(JsonInclude.Include.NON_NULL) String outcome,
        List<Evaluation> evaluations, List<Event> events) {
    public static final int EVALUATION_LIMIT = 240;
    /** Most bytes the record may take as JSON; the oldest evaluations go first. */
    public static final int MAX_BYTES = 512 * 1024;

    public enum Phase {
        /** The release's containers are starting; nothing is measured and no hold runs yet. */
        STARTING,
        RUNNING,
        /** A person paused it: no evaluation, no step. */
        PAUSED,
        /** Every step taken: the release has all the traffic its callers' ranges admit. */
        PROMOTED,
        /** A gate failed as often as the rule allows, or the release did not start: it was retired. */
        ROLLED_BACK,
        /** A person ended it: the release was retired. */
        ABORTED;

        public boolean ended() {
            return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
        }
    }

    public enum Verdict { PASS, FAIL, NO_DATA }

    /**
     * One judgement of the canary over a window.
     *
     * @param canaryCalls       canary calls in the window, on the nodes measured
     * @param baselineCalls     baseline calls in the same window on the same nodes
     * @param canaryErrorRate   failed / calls of the canary; null without calls (also for the other figures)
     * @param verdict           PASS, FAIL, or NO_DATA (fewer canary calls than the rule's minCalls)
     * @param note              what was missing (nodes that did not answer), or null
     */
    public record Evaluation(long at, int step, Verdict verdict, long canaryCalls, long baselineCalls,
            Double canaryErrorRate, Double baselineErrorRate, Double canaryP99Ms, Double baselineP99Ms,
            List<GateResult> gates, @JsonInclude(JsonInclude.Include.NON_NULL) String note) {
        public Evaluation {
            gates = gates == null ? List.of() : List.copyOf(gates);
        }
    }

    /**
     * One gate in one evaluation.
     *
     * @param bound     {@code max} (the canary's value against a threshold) or {@code maxVsBaseline} (the canary's
     *                  value divided by the baseline's, against a ratio)
     * @param value     what was compared with the threshold: the canary's value, or the ratio
     * @param threshold the rule's bound: a fraction for error-rate, milliseconds for an absolute latency, a ratio
     * @param slack     for maxVsBaseline: how far above the baseline the canary may be whatever the ratio (in the
     *                  metric's unit); 0 for none
     */
    public record GateResult(String metric, String bound, Double canary, Double baseline, Double value,
            double threshold, @JsonInclude(JsonInclude.Include.NON_DEFAULT) double slack, boolean passed) {}

    /** @param revision the desired state's revision the event wrote, 0 when it wrote none */
    public record Event(long at, String what, long revision) {}

    public RolloutRecord {
        RegistryLayout.requireName(service, "service");
        RegistryLayout.requireName(version, "version");
        requireNonNull(rule, "rule cannot be null");
        requireNonNull(phase, "phase cannot be null");
        evaluations = evaluations == null ? List.of() : List.copyOf(evaluations);
        events = events == null ? List.of() : List.copyOf(events);
    }

    public RolloutRecord withPhase(Phase newPhase, long now, String newOutcome) {
        return new RolloutRecord(service, version, baseline, rule, ruleSource, newPhase, step, stepSince, startedAt,
                newPhase.ended() ? now : endedAt, failedEvaluations, false, by, newOutcome, evaluations, events);
    }

    /** At {@code newStep}, begun {@code since}, with the failed evaluations of the last step forgotten. */
    public RolloutRecord atStep(int newStep, long since) {
        return new RolloutRecord(service, version, baseline, rule, ruleSource, Phase.RUNNING, newStep, since,
                startedAt, endedAt, 0, false, by, outcome, evaluations, events);
    }

    public RolloutRecord withPromoteAsked(boolean asked) {
        return new RolloutRecord(service, version, baseline, rule, ruleSource, phase, step, stepSince, startedAt,
                endedAt, failedEvaluations, asked, by, outcome, evaluations, events);
    }

    /** With {@code evaluation} added (and counted when it failed), the oldest dropped past the limits. */
    public RolloutRecord with(Evaluation evaluation) {
        List<Evaluation> kept = new ArrayList<>(evaluations);
        kept.add(evaluation);
        while (kept.size() > EVALUATION_LIMIT) {
            kept.remove(0);
        }
        RolloutRecord next = new RolloutRecord(service, version, baseline, rule, ruleSource, phase, step, stepSince,
                startedAt, endedAt, failedEvaluations + (evaluation.verdict() == Verdict.FAIL ? 1 : 0),
                promoteAsked, by, outcome, kept, events);
        while (next.evaluations.size() > 1 && RecordJson.write(next).length > MAX_BYTES) {
            next = new RolloutRecord(service, version, baseline, rule, ruleSource, phase, step, stepSince, startedAt,
                    endedAt, next.failedEvaluations, promoteAsked, by, outcome,
                    next.evaluations.subList(1, next.evaluations.size()), events);
        }
        return next;
    }

    public RolloutRecord with(Event event) {
        List<Event> more = new ArrayList<>(events);
        more.add(event);
        while (more.size() > EVALUATION_LIMIT) {
            more.remove(0);
        }
        return new RolloutRecord(service, version, baseline, rule, ruleSource, phase, step, stepSince, startedAt,
                endedAt, failedEvaluations, promoteAsked, by, outcome, evaluations, more);
    }
}
