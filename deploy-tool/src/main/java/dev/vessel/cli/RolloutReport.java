package dev.vessel.cli;

import dev.vessel.deploy.RuleRollout;
import dev.vessel.registry.RolloutRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A rollout under a rule as people read it: its events and every evaluation, a line each. */
final class RolloutReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private RolloutReport() {}

    /** Prints each event and evaluation a followed rollout tells, a line each after {@code indent}, as it comes. */
    static RuleRollout.Listener printer(PrintWriter out, String indent) {
        return new RuleRollout.Listener() {
            @Override
            public void event(RolloutRecord.Event event) {
                out.println(indent + RolloutReport.event(event));
                out.flush();
            }

            @Override
            public void evaluation(RolloutRecord.Evaluation evaluation) {
                out.println(indent + RolloutReport.evaluation(evaluation));
                out.flush();
            }
        };
    }

    static String event(RolloutRecord.Event event) {
        return TIME.format(Instant.ofEpochMilli(event.at())) + "  " + event.what()
                + (event.revision() > 0 ? " (revision " + event.revision() + ")" : "");
    }

    static String evaluation(RolloutRecord.Evaluation evaluation) {
        List<String> gates = new ArrayList<>();
        for (RolloutRecord.GateResult gate : evaluation.gates()) {
            gates.add(gate(gate));
        }
        return TIME.format(Instant.ofEpochMilli(evaluation.at())) + "  step " + (evaluation.step() + 1) + " "
                + evaluation.verdict() + "  canary " + evaluation.canaryCalls() + " calls, baseline "
                + evaluation.baselineCalls() + (gates.isEmpty() ? "" : "  " + String.join("  ", gates))
                + (evaluation.note() == null ? "" : "  (" + evaluation.note() + ")");
    }

    static String gate(RolloutRecord.GateResult gate) {
        boolean latency = gate.metric().startsWith("latency");
        String verdict = gate.passed() ? "ok" : "FAILED";
        if (gate.bound().equals("max")) {
            return gate.metric() + " " + figure(gate.canary(), latency) + " max " + figure(gate.threshold(), latency)
                    + " " + verdict;
        }
        return gate.metric() + " " + figure(gate.canary(), latency) + " vs " + figure(gate.baseline(), latency)
                + (gate.value() == null ? "" : String.format(Locale.ROOT, " = %.2fx", gate.value())) + " max "
                + gate.threshold() + "x" + (gate.slack() == 0 ? "" : " or +" + figure(gate.slack(), latency)) + " "
                + verdict;
    }

    private static String figure(Double value, boolean latency) {
        if (value == null) {
            return "-";
        }
        return latency ? String.format(Locale.ROOT, "%.1fms", value) : String.format(Locale.ROOT, "%.3f", value);
    }

    /** The whole rollout: what it follows, where it stands, every event and evaluation. */
    static List<String> lines(RolloutRecord rollout) {
        List<String> lines = new ArrayList<>();
        lines.add("rollout   " + rollout.service() + " " + rollout.version() + " against " + rollout.baseline()
                + " under " + rollout.ruleSource());
        lines.add("phase     " + rollout.phase() + (rollout.phase().ended() ? "" : " at step " + (rollout.step() + 1))
                + (rollout.outcome() == null ? "" : ": " + rollout.outcome()));
        if (!rollout.phase().ended()) {
            lines.add("failed    " + rollout.failedEvaluations() + " evaluation(s) in this step");
        }
        // events and evaluations in the order they happened; an evaluation before the step it decided
        List<Map.Entry<Long, String>> timeline = new ArrayList<>();
        rollout.evaluations().forEach(e -> timeline.add(Map.entry(e.at() * 2, evaluation(e))));
        rollout.events().forEach(e -> timeline.add(Map.entry(e.at() * 2 + 1, event(e))));
        timeline.sort(Map.Entry.comparingByKey());
        timeline.forEach(line -> lines.add("  " + line.getValue()));
        return lines;
    }
}
