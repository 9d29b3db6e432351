package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vessel rule validate}: the plan of a valid rule, every problem of an invalid one with its line, exit 2. */
class RuleVerbsTest {
    private static final String EXAMPLE = """
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

    @TempDir
    Path dir;

    @Test
    void aValidRuleIsPrintedAsItsPlan() throws Exception {
        Path rule = Files.writeString(dir.resolve("canary.yaml"), EXAMPLE);
        CliRunner run = CliRunner.run("rule", "validate", rule.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("canary.yaml: a valid rollout rule",
                "step 1: weight 10 %, hold 20s", "step 2: weight 50 %, hold 20s", "step 3: weight 100 %",
                "analysis: every 5s over the last 20s; fewer than 20 canary calls: hold; rolled back after 1 failed"
                        + " evaluation",
                "gate: error-rate at most 0.05", "gate: latency-p99 at most 1.5 x the baseline's",
                "duration: at least 40s (the holds); at most unbounded while a window has too few canary calls");
    }

    @Test
    void anInvalidRuleNamesEveryProblemWithItsLineAndExits2() throws Exception {
        Path rule = Files.writeString(dir.resolve("bad.yaml"), EXAMPLE.replace("weight: 50", "weight: 5")
                .replace("interval: 5s", "interval: 5 s").replace("metric: error-rate", "metric: errors"));
        CliRunner run = CliRunner.run("rule", "validate", rule.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("vessel rule validate: 3 problems:").contains(
                "bad.yaml line 5: weight 5 does not rise above the step before (10)",
                "bad.yaml line 9: interval '5 s' is not a duration",
                "bad.yaml line 15: unknown metric 'errors'; metrics: error-rate, latency-p50, latency-p95,"
                        + " latency-p99");

        CliRunner missing = CliRunner.run("rule", "validate", dir.resolve("absent.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(missing.err()).contains("cannot read " + dir.resolve("absent.yaml"));
    }
}
