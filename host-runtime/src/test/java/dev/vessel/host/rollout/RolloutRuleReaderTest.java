package dev.vessel.host.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.host.rollout.RolloutRule.Metric;
import dev.vessel.host.rollout.RolloutRule.NoData;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutRuleReaderTest {
    /** Issue 24's example, exactly as written there. */
    static final String EXAMPLE = """
            # promote in three steps; roll back as soon as the canary is clearly worse than the version it replaces
            steps:
              - weight: 10
                hold: 20s
              - weight: 50
                hold: 20s
              - weight: 100
            analysis:
              interval: 5s        # how often the gates are evaluated
              window: 20s         # the calls each evaluation looks at
              minCalls: 20        # fewer canary calls than this in the window: no data
              onNoData: hold      # hold | fail | pass
              failureLimit: 1     # failed evaluations before the rollout is rolled back
              gates:
                - metric: error-rate         # failed calls / calls of the canary in the window
                  max: 0.05
                - metric: latency-p99        # of the canary, against the baseline's in the same window
                  maxVsBaseline: 1.5
            """;

    @Test
    void theExampleRuleIsAcceptedAsWritten() {
        RolloutRule rule = RolloutRuleReader.read(EXAMPLE, "rule.yaml");
        assertThat(rule.steps()).extracting(RolloutRule.Step::weight).containsExactly(10, 50, 100);
        assertThat(rule.steps()).extracting(RolloutRule.Step::hold).containsExactly(
                Optional.of(Duration.ofSeconds(20)), Optional.of(Duration.ofSeconds(20)), Optional.empty());
        RolloutRule.Analysis analysis = rule.analysis().orElseThrow();
        assertThat(analysis.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(analysis.window()).isEqualTo(Duration.ofSeconds(20));
        assertThat(analysis.minCalls()).isEqualTo(20);
        assertThat(analysis.onNoData()).isEqualTo(NoData.HOLD);
        assertThat(analysis.failureLimit()).isEqualTo(1);
        assertThat(analysis.gates()).containsExactly(
                new RolloutRule.Gate(Metric.ERROR_RATE, Optional.of(0.05), Optional.empty(), Optional.empty()),
                new RolloutRule.Gate(Metric.LATENCY_P99, Optional.empty(), Optional.empty(), Optional.of(1.5)));
        assertThat(rule.comparesWithBaseline()).isTrue();
        assertThat(rule.hasManualSteps()).isFalse();
        assertThat(rule.shortest()).isEqualTo(Duration.ofSeconds(40));
        assertThat(rule.nodes()).isEmpty();
    }

    @Test
    void manualStepsAbsoluteLatencyRelativeErrorsAndNodeBatches() {
        RolloutRule rule = RolloutRuleReader.read("""
                steps:
                  - weight: 5
                  - weight: 100
                analysis:
                  interval: 2s
                  window: 10s
                  gates:
                    - metric: latency-p95
                      max: 300ms
                    - metric: error-rate
                      maxVsBaseline: 2
                nodes:
                  selector: node-1,node-2
                  batch: 1
                """, "rule.yaml");
        assertThat(rule.hasManualSteps()).isTrue();
        assertThat(rule.analysis().orElseThrow().gates().get(0).maxLatency()).contains(Duration.ofMillis(300));
        assertThat(rule.analysis().orElseThrow().minCalls()).as("default").isEqualTo(20);
        assertThat(rule.nodes()).contains(new RolloutRule.Nodes("node-1,node-2", 1));
    }

    @Test
    void everyProblemIsNamedWithItsLineAndWhatIsAllowed() {
        String yaml = """
                steps:
                  - weight: 50
                    hold: 2s
                  - weight: 20
                    hold: soon
                  - weight: 100
                analysis:
                  interva: 5s
                  window: 3s
                  onNoData: wait
                  gates:
                    - metric: error-ratio
                      max: 0.05
                    - metric: error-rate
                      max: 5
                    - metric: latency-p99
                extra: 1
                """;
        assertThatThrownBy(() -> RolloutRuleReader.read(yaml, "bad.yaml"))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> assertThat(e.problems()).containsExactly(
                        "bad.yaml line 17: unknown key 'extra' in the rule; allowed: analysis, nodes, steps",
                        "bad.yaml line 4: weight 20 does not rise above the step before (50); weights must rise, and"
                                + " end at 100",
                        "bad.yaml line 5: hold 'soon' is not a duration; write a number and a unit: 500ms, 20s, 5m,"
                                + " 1h",
                        "bad.yaml line 8: unknown key 'interva' in analysis; allowed: failureLimit, gates, interval,"
                                + " minCalls, onNoData, prometheus, window",
                        "bad.yaml line 7: interval is missing: how often the gates are evaluated, like 5s",
                        "bad.yaml line 10: onNoData is hold, fail or pass; got 'wait'",
                        "bad.yaml line 12: unknown metric 'error-ratio'; metrics: error-rate, latency-p50,"
                                + " latency-p95, latency-p99",
                        "bad.yaml line 15: max of error-rate is a ratio of calls, 0-1 (0.05 is 5 %); got 5",
                        "bad.yaml line 16: gate latency-p99 needs a bound: max (a duration, like 300ms) and/or"
                                + " maxVsBaseline (like 1.5)"));
    }

    @Test
    void holdsAndWindowsShorterThanTheIntervalAndWeightsThatDoNotReach100AreRefused() {
        assertThatThrownBy(() -> RolloutRuleReader.read("""
                steps:
                  - weight: 10
                    hold: 2s
                  - weight: 100
                analysis:
                  interval: 5s
                  window: 3s
                  gates:
                    - metric: error-rate
                      max: 0.01
                """, "r.yaml")).isInstanceOfSatisfying(InvalidRuleException.class, e -> assertThat(e.problems())
                .containsExactly("r.yaml line 7: window 3s is shorter than interval 5s: some calls would never be"
                        + " looked at", "r.yaml line 3: hold 2s is shorter than analysis.interval 5s: the step would"
                        + " end before its first evaluation"));
        assertThatThrownBy(() -> RolloutRuleReader.read("steps:\n  - weight: 10\n  - weight: 60\n", "r.yaml"))
                .hasMessage("r.yaml line 3: the last step's weight is 60; a rollout ends with the release taking"
                        + " every call: weight 100");
        assertThatThrownBy(() -> RolloutRuleReader.read("steps:\n  - weight: 150\n", "r.yaml"))
                .hasMessage("r.yaml line 2: a step's weight is a whole number of percent, 1-100; got 150");
    }

    @Test
    void textThatIsNotARuleIsRefusedAsSuch() {
        for (String text : List.of("", "[1, 2]", "steps: [")) {
            assertThatThrownBy(() -> RolloutRuleReader.read(text, "r.yaml")).isInstanceOf(InvalidRuleException.class)
                    .hasMessageStartingWith("r.yaml");
        }
        assertThatThrownBy(() -> RolloutRuleReader.read("steps: [", "r.yaml")).hasMessageContaining("not YAML");
        assertThatThrownBy(() -> RolloutRuleReader.read("x".repeat(RolloutRuleReader.MAX_BYTES + 1), "r.yaml"))
                .hasMessageContaining("at most 65536 bytes");
    }

    @Test
    void slackOnRelativeGatesAndPrometheusQueryGates() {
        RolloutRule rule = RolloutRuleReader.read("""
                steps:
                  - weight: 10
                    hold: 10s
                  - weight: 100
                analysis:
                  interval: 5s
                  window: 20s
                  prometheus: http://prometheus.example:9090
                  gates:
                    - metric: latency-p95
                      maxVsBaseline: 2
                      slack: 20ms
                    - metric: error-rate
                      maxVsBaseline: 2
                      slack: 0.01
                    - query: 'sum(rate(errors_total{version="{{canary}}"}[1m]))'
                      max: 3
                """, "prom.yaml");
        RolloutRule.Analysis analysis = rule.analysis().orElseThrow();
        assertThat(analysis.gates()).extracting(RolloutRule.Gate::slack).containsExactly(20.0, 0.01);
        assertThat(analysis.prometheus()).hasValue(java.net.URI.create("http://prometheus.example:9090"));
        assertThat(analysis.queries()).containsExactly(new RolloutRule.QueryGate(
                "sum(rate(errors_total{version=\"{{canary}}\"}[1m]))", 3));
        assertThat(PrometheusQuery.expand(analysis.queries().get(0).query(), "greeter", "1.2.0", "1.1.0"))
                .isEqualTo("sum(rate(errors_total{version=\"1.2.0\"}[1m]))");
        assertThat(rule.describe()).contains("gate: latency-p95 at most 2.0 x the baseline's (or 20ms above it)",
                "gate: sum(rate(errors_total{version=\"{{canary}}\"}[1m])) at most 3.0 (asked of Prometheus at"
                        + " http://prometheus.example:9090)");
        // without slack, a latency gate against the baseline tolerates 5 ms, an error-rate one nothing
        RolloutRule example = RolloutRuleReader.read(EXAMPLE, "rule.yaml");
        assertThat(example.analysis().orElseThrow().gates()).extracting(RolloutRule.Gate::slack)
                .containsExactly(0.0, 5.0);

        assertThatThrownBy(() -> RolloutRuleReader.read("""
                steps:
                  - weight: 100
                analysis:
                  interval: 5s
                  window: 20s
                  gates:
                    - metric: error-rate
                      max: 0.05
                      slack: 0.01
                    - query: 'up'
                """, "bad.yaml")).isInstanceOf(InvalidRuleException.class).satisfies(e -> assertThat(
                ((InvalidRuleException) e).problems()).containsExactly(
                "bad.yaml line 9: slack is how far above the baseline's value the canary may be whatever the ratio;"
                        + " it goes with maxVsBaseline",
                "bad.yaml line 10: a query gate asks a Prometheus server: give its address as analysis.prometheus",
                "bad.yaml line 10: a query gate needs max: the largest value its query may have"));
    }
}
