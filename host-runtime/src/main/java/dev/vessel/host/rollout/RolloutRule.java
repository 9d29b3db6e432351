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
            List<Gate> gates) {
        public Analysis {
            gates = List.copyOf(gates);
        }
    }

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
     * error-rate, a duration for latencies) and/or a bound relative to the baseline's value in the same window.
     */
    public record Gate(Metric metric, Optional<Double> maxRatio, Optional<Duration> maxLatency,
            Optional<Double> maxVsBaseline) {
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
}
