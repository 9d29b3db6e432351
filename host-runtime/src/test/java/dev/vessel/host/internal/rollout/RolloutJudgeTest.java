package dev.vessel.host.internal.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.host.rollout.RolloutRuleReader;
import dev.vessel.protocol.admin.LatencyBuckets;
import dev.vessel.registry.RolloutRecord.Evaluation;
import dev.vessel.registry.RolloutRecord.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The gates of a rule judged on sums of calls: each figure, threshold and verdict as a person would check it. */
class RolloutJudgeTest {
    private static final RolloutRule.Analysis ANALYSIS = RolloutRuleReader.read("""
            steps:
              - weight: 10
                hold: 20s
              - weight: 100
            analysis:
              interval: 5s
              window: 20s
              minCalls: 20
              onNoData: hold
              failureLimit: 1
              gates:
                - metric: error-rate
                  max: 0.05
                - metric: latency-p99
                  maxVsBaseline: 1.5
                - metric: latency-p50
                  max: 300ms
            """, "rule.yaml").analysis().orElseThrow();

    @Test
    void aCanaryWithFiveTimesTheErrorsFailsTheErrorRateGate() {
        Evaluation evaluation = RolloutJudge.judge(ANALYSIS, 0, 1, sample(100, 10, 2), sample(1000, 2, 2), null);
        assertThat(evaluation.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(evaluation.gates().get(0).value()).isEqualTo(0.10);
        assertThat(evaluation.gates().get(0).passed()).isFalse();
        assertThat(evaluation.gates().get(1).passed()).as("same latency").isTrue();
        assertThat(RolloutJudge.failedGates(evaluation)).isEqualTo("error-rate 0.100 > max 0.050 (100 canary calls)");
    }

    @Test
    void aCanaryTwiceAsSlowFailsTheLatencyGateAgainstTheBaseline() {
        Evaluation evaluation = RolloutJudge.judge(ANALYSIS, 0, 1, sample(200, 0, 20), sample(2000, 0, 10), null);
        assertThat(evaluation.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(evaluation.canaryP99Ms()).isBetween(17.6, 22.4); // buckets 25 % apart: within 12 %
        assertThat(evaluation.gates().get(1).value()).isBetween(1.6, 2.4);
        assertThat(evaluation.gates().get(1).passed()).isFalse();
        assertThat(evaluation.gates().get(2).passed()).as("20 ms is under the absolute 300 ms").isTrue();
    }

    @Test
    void tooFewCanaryCallsIsNoDataAndTheRuleSaysWhatThatMeans() {
        Evaluation evaluation = RolloutJudge.judge(ANALYSIS, 0, 1, sample(5, 5, 2), sample(1000, 0, 2), null);
        assertThat(evaluation.verdict()).isEqualTo(Verdict.NO_DATA);
        assertThat(evaluation.note()).isEqualTo("no data: 5 canary calls, fewer than minCalls 20 (onNoData: hold)");
    }

    @Test
    void aHealthyCanaryPasses() {
        Evaluation evaluation = RolloutJudge.judge(ANALYSIS, 1, 1, sample(300, 1, 2), sample(3000, 12, 2), null);
        assertThat(evaluation.verdict()).isEqualTo(Verdict.PASS);
        assertThat(evaluation.gates()).allSatisfy(g -> assertThat(g.passed()).isTrue());
        assertThat(evaluation.canaryCalls()).isEqualTo(300);
        assertThat(evaluation.baselineErrorRate()).isEqualTo(0.004);
    }

    /** {@code calls} calls, {@code failures} failed, each taking {@code millis}. */
    private static CallSample sample(long calls, long failures, long millis) {
        List<Long> latency = new ArrayList<>(Collections.nCopies(LatencyBuckets.COUNT, 0L));
        latency.set(LatencyBuckets.index(TimeUnit.MILLISECONDS.toNanos(millis)), calls);
        return new CallSample(calls, failures, latency);
    }
}
