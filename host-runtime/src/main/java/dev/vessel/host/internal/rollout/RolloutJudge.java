package dev.vessel.host.internal.rollout;

import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.host.rollout.RolloutRule.Analysis;
import dev.vessel.host.rollout.RolloutRule.Gate;
import dev.vessel.registry.RolloutRecord.Evaluation;
import dev.vessel.registry.RolloutRecord.GateResult;
import dev.vessel.registry.RolloutRecord.Verdict;
import java.util.ArrayList;
import java.util.List;

/** Judges a canary's window of calls against a rule's gates: one {@link Evaluation}, with every figure it used. */
final class RolloutJudge {
    /** How a query gate's result names it: {@code query <the PromQL as asked>}. */
    static final String QUERY = "query ";

    private RolloutJudge() {}

    /**
     * @param note what the figures lack (nodes that did not answer), or null
     */
    static Evaluation judge(Analysis analysis, int step, long now, CallSample canary, CallSample baseline,
            String note) {
        return judge(analysis, step, now, canary, baseline, note, List.of(), List.of());
    }

    /**
     * @param queried    the query gates' results, from the user's Prometheus
     * @param unanswered the query gates Prometheus gave no value for, and why: the window has no data for them
     */
    static Evaluation judge(Analysis analysis, int step, long now, CallSample canary, CallSample baseline,
            String note, List<GateResult> queried, List<String> unanswered) {
        List<GateResult> gates = new ArrayList<>();
        boolean passed = true;
        for (Gate gate : analysis.gates()) {
            GateResult result = gate(gate, analysis.minCalls(), canary, baseline);
            gates.add(result);
            passed &= result.passed();
        }
        for (GateResult result : queried) {
            gates.add(result);
            passed &= result.passed();
        }
        Verdict verdict = passed ? Verdict.PASS : Verdict.FAIL;
        String why = note;
        if (!unanswered.isEmpty() && passed) {
            String noData = "no data from Prometheus: " + String.join("; ", unanswered) + " (onNoData: "
                    + analysis.onNoData().name().toLowerCase(java.util.Locale.ROOT) + ")";
            why = why == null ? noData : noData + "; " + why;
            verdict = switch (analysis.onNoData()) {
                case HOLD -> Verdict.NO_DATA;
                case FAIL -> Verdict.FAIL;
                case PASS -> Verdict.PASS;
            };
        }
        if (canary.calls() < analysis.minCalls()) {
            String noData = "no data: " + canary.calls() + " canary calls, fewer than minCalls " + analysis.minCalls()
                    + " (onNoData: " + analysis.onNoData().name().toLowerCase(java.util.Locale.ROOT) + ")";
            why = note == null ? noData : noData + "; " + note;
            verdict = switch (analysis.onNoData()) {
                case HOLD -> Verdict.NO_DATA;
                case FAIL -> Verdict.FAIL;
                case PASS -> Verdict.PASS;
            };
        }
        return new Evaluation(now, step, verdict, canary.calls(), baseline.calls(), canary.errorRate(),
                baseline.errorRate(), canary.latencyMillis(0.99), baseline.latencyMillis(0.99), gates, why);
    }

    private static GateResult gate(Gate gate, int minCalls, CallSample canary, CallSample baseline) {
        Double canaryValue = value(gate.metric(), canary);
        Double baselineValue = value(gate.metric(), baseline);
        boolean passed = true;
        if (gate.maxRatio().isPresent() || gate.maxLatency().isPresent()) {
            double threshold = gate.maxRatio().orElseGet(() -> gate.maxLatency().orElseThrow().toNanos() / 1e6);
            boolean ok = canaryValue == null || canaryValue <= threshold;
            passed = ok;
            if (gate.maxVsBaseline().isEmpty()) {
                return new GateResult(gate.metric().yaml(), "max", canaryValue, baselineValue, canaryValue,
                        threshold, 0, ok);
            }
        }
        double ratio = gate.maxVsBaseline().orElseThrow();
        if (canaryValue == null || baselineValue == null || baseline.calls() < minCalls) {
            // too few baseline calls to compare with: the gate judges nothing in this window
            return new GateResult(gate.metric().yaml(), "maxVsBaseline", canaryValue, baselineValue, null, ratio,
                    gate.slack(), passed);
        }
        boolean withinSlack = canaryValue - baselineValue <= gate.slack();
        if (baselineValue == 0) {
            // no baseline errors: any canary error beyond the slack is infinitely worse
            return new GateResult(gate.metric().yaml(), "maxVsBaseline", canaryValue, baselineValue, null, ratio,
                    gate.slack(), passed && (canaryValue == 0 || withinSlack));
        }
        double value = canaryValue / baselineValue;
        return new GateResult(gate.metric().yaml(), "maxVsBaseline", canaryValue, baselineValue, value, ratio,
                gate.slack(), passed && (value <= ratio || withinSlack));
    }

    private static Double value(RolloutRule.Metric metric, CallSample sample) {
        return switch (metric) {
            case ERROR_RATE -> sample.errorRate();
            case LATENCY_P50 -> sample.latencyMillis(0.50);
            case LATENCY_P95 -> sample.latencyMillis(0.95);
            case LATENCY_P99 -> sample.latencyMillis(0.99);
        };
    }

    /** What a failed evaluation's failed gates were, in words: {@code error-rate 0.31 > max 0.05 (43 calls)}. */
    static String failedGates(Evaluation evaluation) {
        List<String> failed = new ArrayList<>();
        for (GateResult gate : evaluation.gates()) {
            if (!gate.passed()) {
                failed.add(describe(gate, evaluation.canaryCalls()));
            }
        }
        if (failed.isEmpty() && evaluation.note() != null) {
            failed.add(evaluation.note());
        }
        return String.join("; ", failed);
    }

    static String describe(GateResult gate, long calls) {
        if (gate.metric().startsWith(QUERY)) {
            return gate.metric() + " = " + gate.value() + " > max " + gate.threshold();
        }
        boolean latency = gate.metric().startsWith("latency");
        if (gate.bound().equals("max")) {
            return gate.metric() + " " + figure(gate.canary(), latency) + " > max " + figure(gate.threshold(),
                    latency) + " (" + calls + " canary calls)";
        }
        return gate.metric() + " " + figure(gate.canary(), latency) + " vs baseline " + figure(gate.baseline(),
                latency) + (gate.value() == null ? "" : String.format(java.util.Locale.ROOT, " = %.2fx", gate.value()))
                + " > maxVsBaseline " + gate.threshold() + (gate.slack() == 0 ? "" : " and more than "
                        + figure(gate.slack(), latency) + " above it") + " (" + calls + " canary calls)";
    }

    static String figure(Double value, boolean latency) {
        if (value == null) {
            return "-";
        }
        return latency ? String.format(java.util.Locale.ROOT, "%.1f ms", value)
                : String.format(java.util.Locale.ROOT, "%.3f", value);
    }
}
