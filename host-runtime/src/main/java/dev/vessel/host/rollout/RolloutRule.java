package dev.vessel.host.rollout;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a release of a service goes online: the weights it is given step by step, how long each step holds, and the
 * gates its measured health must pass meanwhile. Read from YAML by {@link RolloutRuleReader}, which checks every
 * value; a rule that exists is a valid one.
 *
 * @param steps    weights that rise to 100, each held for a time or until a person promotes it
 * @param analysis how the canary is measured and judged; empty for steps that only hold
 * @param nodes    which nodes take the release and how many at a time; empty for every node at once
 */
public record RolloutRule(List<Step> steps, Optional<Analysis> analysis, Optional<Nodes> nodes) {
    public RolloutRule {
        steps = List.copyOf(requireNonNull(steps, "steps cannot be null"));
        requireNonNull(analysis, "analysis cannot be null");
        requireNonNull(nodes, "nodes cannot be null");
    }

    /** @param hold how long the step lasts once reached; empty: until a person promotes it */
    public record Step(int weight, Optional<Duration> hold) {}

    /** What an evaluation does when the canary had fewer calls than {@code minCalls} in the window. */
    public enum NoData {
        HOLD, FAIL, PASS;

        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param interval     how often the gates are evaluated
     * @param window       the calls each evaluation looks at
     * @param minCalls     fewer canary calls than this in the window: no data
     * @param failureLimit failed evaluations before the rollout is rolled back
     */
    public record Analysis(Duration interval, Duration window, int minCalls, NoData onNoData, int failureLimit,
            List<Gate> gates, Optional<java.net.URI> prometheus, List<QueryGate> queries) {
        public Analysis {
            gates = List.copyOf(gates);
            queries = List.copyOf(queries);
        }

        public Analysis(Duration interval, Duration window, int minCalls, NoData onNoData, int failureLimit,
                List<Gate> gates) {
            this(interval, window, minCalls, onNoData, failureLimit, gates, Optional.empty(), List.of());
        }
    }

    /**
     * A gate measured by the user's Prometheus: a PromQL {@code query} (with {@code {{service}}}, {@code {{canary}}}
     * and {@code {{baseline}}} in place of the rollout's names) whose value must be at most {@code max}.
     */
    public record QueryGate(String query, double max) {}

    /** What a gate measures, as rule files name it. */
    public enum Metric {
        ERROR_RATE("error-rate", false), LATENCY_P50("latency-p50", true), LATENCY_P95("latency-p95", true),
        LATENCY_P99("latency-p99", true);

        private final String yaml;
        private final boolean latency;

        Metric(String yaml, boolean latency) {
            this.yaml = yaml;
            this.latency = latency;
        }

        public String yaml() {
            return yaml;
        }

        public boolean latency() {
            return latency;
        }

        static Optional<Metric> of(String name) {
            for (Metric metric : values()) {
                if (metric.yaml.equals(name)) {
                    return Optional.of(metric);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One condition the canary must meet in every evaluation: an absolute bound ({@code max}: a ratio for
     * error-rate, a duration for latencies) and/or a bound relative to the baseline's value in the same window
     * ({@code maxVsBaseline}), which a canary also meets while it is no more than {@code slack} above the baseline
     * (in the metric's unit: a ratio of calls, or milliseconds).
     */
    public record Gate(Metric metric, Optional<Double> maxRatio, Optional<Duration> maxLatency,
            Optional<Double> maxVsBaseline, double slack) {
        /**
         * A latency gate against the baseline tolerates this much by default: a release minutes old runs colder
         * code than one that has run for hours (measured: a good release's p99 1.56 times a warm baseline's, 2.8 ms
         * against 1.8 ms, at 50 % of 100 calls/s), and a ratio of two small latencies would judge that.
         */
        public static final Duration DEFAULT_LATENCY_SLACK = Duration.ofMillis(5);

        public Gate(Metric metric, Optional<Double> maxRatio, Optional<Duration> maxLatency,
                Optional<Double> maxVsBaseline) {
            this(metric, maxRatio, maxLatency, maxVsBaseline, maxVsBaseline.isPresent() && metric.latency()
                    ? DEFAULT_LATENCY_SLACK.toNanos() / 1e6 : 0);
        }

        public boolean againstBaseline() {
            return maxVsBaseline.isPresent();
        }
    }

    /** @param selector node ids, comma-separated, or {@code *}; @param batch how many nodes take a step at once */
    public record Nodes(String selector, int batch) {}

    /** Whether some gate compares the canary with the version it replaces. */
    public boolean comparesWithBaseline() {
        return analysis.map(a -> a.gates().stream().anyMatch(Gate::againstBaseline)).orElse(false);
    }

    /** Whether some step waits for a person. */
    public boolean hasManualSteps() {
        return steps.stream().anyMatch(step -> step.hold().isEmpty() && step.weight() < 100);
    }

    /** The holds added up: how long a rollout takes when every evaluation passes and nobody has to promote. */
    public Duration shortest() {
        return steps.stream().map(step -> step.hold().orElse(Duration.ZERO)).reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * How long the steps take at most when no person holds them: each step's hold rounded up to whole intervals
     * (a step is left on an evaluation that passed), and one interval more for each failed evaluation short of the
     * failure limit. Empty when it is unbounded: a step waits for a person, or for data (onNoData: hold).
     */
    public Optional<Duration> longest() {
        if (hasManualSteps() || analysis.map(a -> a.onNoData() == NoData.HOLD).orElse(false)) {
            return Optional.empty();
        }
        if (analysis.isEmpty()) {
            return Optional.of(shortest());
        }
        long interval = analysis.get().interval().toMillis();
        long total = 0;
        for (Step step : steps) {
            if (step.hold().isEmpty()) {
                continue; // the last step, at 100 with no hold: the rollout ends on reaching it
            }
            long hold = step.hold().get().toMillis();
            total += ((hold + interval - 1) / interval + analysis.get().failureLimit() - 1) * interval;
        }
        return Optional.of(Duration.ofMillis(total));
    }

    /** The rule as a person reads it, a line per step, analysis, gate, nodes and duration. */
    public List<String> describe() {
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            lines.add("step " + (i + 1) + ": weight " + step.weight() + " %" + step.hold()
                    .map(hold -> ", hold " + RolloutRuleReader.text(hold))
                    .orElse(step.weight() < 100 ? ", until promoted (vessel rollout promote)" : ""));
        }
        analysis.ifPresentOrElse(a -> {
            lines.add("analysis: every " + RolloutRuleReader.text(a.interval()) + " over the last "
                    + RolloutRuleReader.text(a.window()) + "; fewer than " + a.minCalls() + " canary calls: "
                    + a.onNoData().yaml() + "; rolled back after " + a.failureLimit() + " failed evaluation"
                    + (a.failureLimit() == 1 ? "" : "s"));
            for (Gate gate : a.gates()) {
                String absolute = gate.maxRatio().map(String::valueOf)
                        .or(() -> gate.maxLatency().map(RolloutRuleReader::text)).orElse(null);
                String relative = gate.maxVsBaseline().map(r -> r + " x the baseline's" + (gate.slack() == 0 ? ""
                        : " (or " + (gate.metric().latency() ? RolloutRuleReader.text(Duration.ofNanos(
                                (long) (gate.slack() * 1e6))) : String.valueOf(gate.slack())) + " above it)"))
                        .orElse(null);
                lines.add("gate: " + gate.metric().yaml() + " at most " + (absolute != null && relative != null
                        ? absolute + " and " + relative : absolute != null ? absolute : relative));
            }
            for (QueryGate query : a.queries()) {
                lines.add("gate: " + query.query() + " at most " + query.max() + " (asked of Prometheus at "
                        + a.prometheus().map(Object::toString).orElse("?") + ")");
            }
        }, () -> lines.add("analysis: none; the steps only hold"));
        lines.add("nodes: " + nodes.map(n -> n.selector() + (n.batch() == Integer.MAX_VALUE ? ", all at once"
                : ", " + n.batch() + " at a time")).orElse("every node the release is deployed to, all at once"));
        lines.add("duration: at least " + RolloutRuleReader.text(shortest()) + " (the holds); at most "
                + longest().map(RolloutRuleReader::text).orElse(hasManualSteps()
                        ? "unbounded: a person promotes the steps without a hold"
                        : "unbounded while a window has too few canary calls (onNoData: hold)")
                + "; rolled back as soon as a gate fails " + analysis.map(a -> a.failureLimit() + " time"
                        + (a.failureLimit() == 1 ? "" : "s")).orElse("(no gates)"));
        return lines;
    }
}
