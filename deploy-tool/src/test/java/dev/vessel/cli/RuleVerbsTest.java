package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vessel rule}: {@code validate} prints the plan of a valid rule, or every problem of an invalid one with its
 * line (exit 2); {@code set}, {@code get}, {@code history} and {@code rollback} keep a service's rule in the
 * registry through a node, which checks it again and writes nothing invalid.
 */
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

    @Test
    void aServicesRuleIsSetReadAndRolledBackAndAnInvalidOneIsNeverWritten() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Settings(dir.resolve("home"), 1, 0,
                CliRunner.freePort(), "127.0.0.1", false, CliRunner.QUORUM_TOKEN))) {
            Path token = Files.writeString(dir.resolve("token"), CliRunner.QUORUM_TOKEN);
            Path secret = Files.writeString(dir.resolve("reader-secret"), dev.vessel.registry.RegistryCredentials
                    .readerSecret(CliRunner.QUORUM_TOKEN));
            java.util.function.Function<String[], CliRunner> run = args -> {
                java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
                all.addAll(java.util.List.of("--zk", cluster.zkConnect(), "--reader-secret-file", secret.toString(),
                        "--server", cluster.nodes().get(0).url().toString(), "--token-file", token.toString()));
                return CliRunner.run(all.toArray(String[]::new));
            };
            Path canary = Files.writeString(dir.resolve("canary.yaml"), EXAMPLE);
            Path manual = Files.writeString(dir.resolve("manual.yaml"), "steps:\n  - weight: 5\n  - weight: 100\n");

            CliRunner none = run.apply(new String[] {"rule", "get", "greeter"});
            assertThat(none.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(none.err()).contains("greeter has no rollout rule");

            CliRunner dry = run.apply(new String[] {"rule", "set", "greeter", canary.toString(), "--dry-run"});
            assertThat(dry.exitCode()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("valid; would be revision 1 of the rule of greeter (nothing written)");
            assertThat(run.apply(new String[] {"rule", "history", "greeter"}).out())
                    .contains("greeter has no rollout rule");

            CliRunner set = run.apply(new String[] {"rule", "set", "greeter", canary.toString(), "-m", "canary"});
            assertThat(set.exitCode()).as(set.err()).isZero();
            assertThat(set.out()).contains("rule of greeter is at revision 1", "step 1: weight 10 %, hold 20s");
            assertThat(run.apply(new String[] {"rule", "set", "greeter", manual.toString()}).exitCode()).isZero();

            Path invalid = Files.writeString(dir.resolve("invalid.yaml"), "steps:\n  - weight: 50\n");
            CliRunner refused = run.apply(new String[] {"rule", "set", "greeter", invalid.toString()});
            assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(refused.err()).contains("invalid.yaml line 2: the last step's weight is 50");

            CliRunner get = run.apply(new String[] {"rule", "get", "greeter"});
            assertThat(get.exitCode()).as(get.err()).isZero();
            assertThat(get.out()).isEqualTo("steps:\n  - weight: 5\n  - weight: 100\n");
            assertThat(get.err()).contains("rule of greeter, revision 2");

            CliRunner back = run.apply(new String[] {"rule", "rollback", "greeter", "--to", "1"});
            assertThat(back.exitCode()).as(back.err()).isZero();
            assertThat(back.out()).contains("rule of greeter is at revision 3 (the rule of revision 1)");
            assertThat(run.apply(new String[] {"rule", "get", "greeter"}).out()).isEqualTo(EXAMPLE);
            CliRunner history = run.apply(new String[] {"rule", "history", "greeter"});
            assertThat(history.out().lines().toList()).hasSize(3).satisfies(lines -> {
                assertThat(lines.get(0)).contains("   1  ").contains("canary");
                assertThat(lines.get(2)).startsWith("*    3").contains("rollback to revision 1");
            });
        }
    }
}
