package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollout under a rule through the CLI, on a real one-node cluster: a rule file checked before anything is
 * uploaded, the plan of a dry run, a deploy followed to its promotion (exit 0), a rule that cannot apply refused
 * (exit 2), a service's stored rule followed without --rule, and a running rollout paused, resumed, promoted and
 * aborted with {@code vessel rollout}.
 */
class RolloutVerbsTest {
    private static final String PASSING = """
            steps:
              - weight: 10
                hold: 2s
              - weight: 100
            analysis:
              interval: 1s
              window: 2s
              minCalls: 5
              onNoData: pass
              failureLimit: 1
              gates:
                - metric: error-rate
                  max: 0.05
            """;
    private static final String MANUAL = "steps:\n  - weight: 10\n  - weight: 100\n";

    @TempDir
    Path dir;

    @Test
    void aReleaseGoesOnlineUnderARuleAndARunningRolloutIsActedOn() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Settings(dir.resolve("home"), 1, 0,
                CliRunner.freePort(), "127.0.0.1", false, CliRunner.QUORUM_TOKEN))) {
            Path token = Files.writeString(dir.resolve("token"), CliRunner.QUORUM_TOKEN);
            Path secret = Files.writeString(dir.resolve("reader-secret"), dev.vessel.registry.RegistryCredentials
                    .readerSecret(CliRunner.QUORUM_TOKEN));
            java.util.function.Function<String[], CliRunner> run = args -> {
                List<String> all = new ArrayList<>(List.of(args));
                all.addAll(List.of("--zk", cluster.zkConnect(), "--reader-secret-file", secret.toString(),
                        "--server", cluster.nodes().get(0).url().toString(), "--token-file", token.toString()));
                return CliRunner.run(all.toArray(String[]::new));
            };
            // the reads take the registry's reader identity only
            java.util.function.Function<String[], CliRunner> read = args -> {
                List<String> all = new ArrayList<>(List.of(args));
                all.addAll(List.of("--zk", cluster.zkConnect(), "--reader-secret-file", secret.toString()));
                CliRunner result = CliRunner.run(all.toArray(String[]::new));
                assertThat(result.err()).as(String.join(" ", args)).doesNotContain("Unknown option");
                return result;
            };
            Path v100 = demo("greeter-1.0.0");
            Path v110 = demo("greeter-1.1.0");
            Path v200 = demo("greeter-2.0.0");
            Path passing = Files.writeString(dir.resolve("passing.yaml"), PASSING);
            Path manual = Files.writeString(dir.resolve("manual.yaml"), MANUAL);
            assertThat(run.apply(new String[] {"deploy", v100.toString()}).exitCode()).isZero();
            assertThat(run.apply(new String[] {"deploy", v100.toString(), "--service", "other"}).exitCode()).isZero();

            // a rule file's problems cost no upload and change nothing
            Path bad = Files.writeString(dir.resolve("bad.yaml"), PASSING.replace("hold: 2s", "hold: 500ms"));
            CliRunner refused = run.apply(new String[] {"deploy", v110.toString(), "--rule", bad.toString()});
            assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(refused.err()).contains("bad.yaml line 3: hold 500ms is shorter than analysis.interval 1s");
            CliRunner conflicting = run.apply(new String[] {"deploy", v110.toString(), "--rule", passing.toString(),
                    "--weight", "10"});
            assertThat(conflicting.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(conflicting.err()).contains("--weight does not go with --rule");

            CliRunner valid = run.apply(new String[] {"rule", "validate", passing.toString(), "--service", "greeter"});
            assertThat(valid.exitCode()).as(valid.err()).isZero();
            assertThat(valid.out()).contains("passing.yaml: a valid rollout rule for greeter (deployed: 1.0.0)");
            CliRunner nothing = run.apply(new String[] {"rule", "validate", passing.toString(), "--service", "absent"});
            assertThat(nothing.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(nothing.err()).contains("absent has no version deployed");

            CliRunner dry = run.apply(new String[] {"deploy", v110.toString(), "--rule", passing.toString(),
                    "--dry-run"});
            assertThat(dry.exitCode()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("rule      greeter 1.1.0 next to 1.0.0 (dry run: nothing was written)",
                    "step 1: weight 10 %, hold 2s", "batch 1: *",
                    "duration: at least 2s (the holds); at most 2s");
            assertThat(read.apply(new String[] {"history", "greeter"}).out()).doesNotContain("1.1.0");

            CliRunner promoted = run.apply(new String[] {"deploy", v110.toString(), "--rule", passing.toString()});
            assertThat(promoted.exitCode()).as(promoted.out() + promoted.err()).isZero();
            assertThat(promoted.out()).contains("started by", "step 1/2: weight 10, hold 2s", "step 1 PASS",
                    "PROMOTED: greeter 1.1.0 promoted: weight 100, 1.0.0 retired");
            CliRunner status = read.apply(new String[] {"rollout", "status", "greeter"});
            assertThat(status.out()).contains("rollout   greeter 1.1.0 against 1.0.0 under passing.yaml",
                    "phase     PROMOTED: promoted: weight 100, 1.0.0 retired");

            CliRunner noBaseline = run.apply(new String[] {"deploy", v200.toString(), "--rule", passing.toString()});
            assertThat(noBaseline.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(noBaseline.err()).contains("greeter has no lower version of major 2 deployed");

            CliRunner started = run.apply(new String[] {"deploy", v110.toString(), "--service", "other", "--rule",
                    manual.toString(), "--no-wait"});
            assertThat(started.exitCode()).as(started.err()).isZero();
            assertThat(started.out()).contains("started: the rollout goes on in the cluster");
            awaitOutput(read, new String[] {"rollout", "status", "other"}, "phase     RUNNING at step 1");
            assertThat(run.apply(new String[] {"rollout", "pause", "other"}).out())
                    .contains("pause: other 1.1.0 is PAUSED at step 1");
            assertThat(run.apply(new String[] {"rollout", "resume", "other"}).out())
                    .contains("resume: other 1.1.0 is RUNNING at step 1");
            CliRunner aborted = run.apply(new String[] {"rollout", "abort", "other"});
            assertThat(aborted.out()).contains("abort: other 1.1.0 is ABORTED (aborted by");
            assertThat(read.apply(new String[] {"history", "other"}).out()).contains("1.1.0 retired");
            CliRunner again = run.apply(new String[] {"rollout", "abort", "other"});
            assertThat(again.exitCode()).isEqualTo(ExitCode.CONFLICT);
            assertThat(again.err()).contains("already ended: ABORTED");

            // a service's stored rule is followed without --rule
            assertThat(run.apply(new String[] {"rule", "set", "other", manual.toString()}).exitCode()).isZero();
            CliRunner stored = run.apply(new String[] {"deploy", v110.toString(), "--service", "other", "--no-wait"});
            assertThat(stored.exitCode()).as(stored.err()).isZero();
            assertThat(stored.out()).contains("rule      other 1.1.0 next to 1.0.0", "step 1: weight 10 %, until"
                    + " promoted");
            awaitOutput(read, new String[] {"rollout", "status", "other"}, "phase     RUNNING at step 1");
            // a watch follows the running rollout to its end: promoted by a person, from another process
            java.util.concurrent.CompletableFuture<CliRunner> watch = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> read.apply(new String[] {"rollout", "status", "other", "--watch",
                            "--timeout", "60"}));
            assertThat(run.apply(new String[] {"rollout", "promote", "other"}).exitCode()).isZero();
            CliRunner watched = watch.get(90, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(watched.exitCode()).as(watched.out()).isZero();
            assertThat(watched.out()).contains("rollout   other 1.1.0 against 1.0.0 under revision 1 of the rule of"
                    + " other", "promote asked at step 1 by",
                    "PROMOTED: promoted: weight 100, 1.0.0 retired (promote asked)");
        }
    }

    /** Runs a read until its output holds {@code expected}: the driver acts on its own ticks. */
    private static void awaitOutput(java.util.function.Function<String[], CliRunner> run, String[] args,
            String expected) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> run.apply(args).out().contains(expected));
    }

    private Path demo(String name) throws Exception {
        Path jar = dir.resolve(name + ".jar");
        try (InputStream in = RolloutVerbsTest.class.getClassLoader().getResourceAsStream("demo/" + name + ".jar")) {
            Files.copy(in, jar);
        }
        return jar;
    }
}
