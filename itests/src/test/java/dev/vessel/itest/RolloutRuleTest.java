package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.deploy.AdminException;
import dev.vessel.deploy.Rollout;
import dev.vessel.deploy.RuleRollout;
import dev.vessel.protocol.admin.RolloutAction;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.RolloutRecord.Phase;
import dev.vessel.registry.RolloutRecord.Verdict;
import dev.vessel.registry.RolloutStore;
import dev.vessel.router.VesselClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts under a rule on real nodes with real calls: the cluster's driver measures the canary on the calls every
 * node counted and promotes it or rolls it back by itself. A release that throws on a third of its calls and one that
 * answers 25 ms late are each rolled back under load, with no failed call but the canary's own before the decision;
 * a good release goes through every step with no failed call; a canary no caller can reach is held, and failed when
 * the rule says so; a rollout nobody may start writes nothing.
 */
class RolloutRuleTest {
    private static final String FAST_RULE = """
            steps:
              - weight: 10
                hold: 3s
              - weight: 50
                hold: 3s
              - weight: 100
            analysis:
              interval: 1s
              window: 3s
              minCalls: 10
              onNoData: hold
              failureLimit: 1
              gates:
                - metric: error-rate
                  max: 0.05
                - metric: latency-p99
                  maxVsBaseline: 1.5
            """;

    @TempDir
    Path data;

    @Test
    void aReleaseThatThrowsIsRolledBackAndOnlyItsOwnCallsFailed() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 2);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            assertThat(cluster.deploy("greeter-1.1.0", 100, false).ok()).isTrue();
            SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)");
            load.start();
            Rollout.Result result;
            List<String> log = new CopyOnWriteArrayList<>();
            try {
                result = deployUnderRule(cluster, "greeter-faulty", FAST_RULE, log);
            } finally {
                load.stop();
            }
            RolloutRecord rollout = result.rollout();
            assertThat(rollout.phase()).as(String.join("\n", log)).isEqualTo(Phase.ROLLED_BACK);
            assertThat(result.ok()).isFalse();
            assertThat(result.rolledBack()).isTrue();
            assertThat(rollout.outcome()).startsWith("rolled back: error-rate ").contains("> max 0.050");
            RolloutRecord.Evaluation failed = rollout.evaluations().get(rollout.evaluations().size() - 1);
            assertThat(failed.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(failed.canaryErrorRate()).isBetween(0.2, 0.45);
            assertThat(failed.baselineErrorRate()).isZero();
            assertThat(new DeploymentStore(cluster.registry()).read("greeter").versions())
                    .extracting(DeployedVersion::version).containsExactly("1.1.0");
            // the only failures are the canary's own, and none once it was rolled back (clients switch within 1 s)
            assertThat(load.failures()).isNotEmpty()
                    .allSatisfy(f -> assertThat(f).contains("fails every third call"));
            assertThat(load.failuresAfter(rollout.endedAt() + 1000)).isEmpty();
            assertThat(load.calls()).isGreaterThan(200);
            assertThat(new DeploymentStore(cluster.registry()).read("greeter").withdrawn())
                    .as("taken away at once, not drained").containsExactly("1.2.0");
            // the driving node counted the rollout and its evaluations
            assertThat(metric(cluster, "vessel_rollouts_total{outcome=\"ROLLED_BACK\"}")).isEqualTo(1.0);
            assertThat(metric(cluster, "vessel_rollout_evaluations_total{verdict=\"FAIL\"}")).isEqualTo(1.0);
        }
    }

    /** A counter summed over every node's {@code /metrics}. */
    private static double metric(DeployCluster cluster, String series) throws Exception {
        double sum = 0;
        for (var node : cluster.nodes()) {
            String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    node.url().resolve("/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (String line : text.lines().toList()) {
                if (line.startsWith(series + " ")) {
                    sum += Double.parseDouble(line.substring(series.length() + 1).trim());
                }
            }
        }
        return sum;
    }

    @Test
    void aRuleWithNodeBatchesStartsTheReleaseOneBatchAtATime() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 2)) {
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            Rollout.Result result = deployUnderRule(cluster, "greeter-1.1.0", """
                    steps:
                      - weight: 20
                        hold: 1s
                      - weight: 100
                    nodes:
                      selector: "*"
                      batch: 1
                    """, new CopyOnWriteArrayList<>());
            assertThat(result.plan().batches()).containsExactly("node-1", "node-2");
            RolloutRecord rollout = result.rollout();
            assertThat(rollout.phase()).as(rollout.outcome()).isEqualTo(Phase.PROMOTED);
            assertThat(rollout.events()).extracting(RolloutRecord.Event::what)
                    .anySatisfy(e -> assertThat(e).endsWith("on node-1"))
                    .anySatisfy(e -> assertThat(e).isEqualTo("started on node-1,node-2"));
            List<String> nodesPerRevision = new DeploymentStore(cluster.registry()).read("greeter").history().stream()
                    .flatMap(r -> r.versions().stream().filter(v -> v.version().equals("1.1.0")).map(v -> v.nodes()))
                    .distinct().toList();
            assertThat(nodesPerRevision).startsWith("node-1", "node-1,node-2");
        }
    }

    @Test
    void aSlowReleaseIsRolledBackOnItsLatencyAgainstTheBaselineWithNoFailedCall() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 2);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            assertThat(cluster.deploy("greeter-1.1.0", 100, false).ok()).isTrue();
            SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)");
            load.start();
            Rollout.Result result;
            List<String> log = new CopyOnWriteArrayList<>();
            try {
                result = deployUnderRule(cluster, "greeter-slow", FAST_RULE, log);
            } finally {
                load.stop();
            }
            assertThat(result.rollout().phase()).as(String.join("\n", log)).isEqualTo(Phase.ROLLED_BACK);
            assertThat(result.rollout().outcome()).startsWith("rolled back: latency-p99 ").contains("maxVsBaseline 1.5");
            RolloutRecord.Evaluation failed = result.rollout().evaluations()
                    .get(result.rollout().evaluations().size() - 1);
            assertThat(failed.canaryP99Ms()).isGreaterThan(20.0);
            assertThat(load.failures()).isEmpty();
            assertThat(new DeploymentStore(cluster.registry()).read("greeter").versions())
                    .extracting(DeployedVersion::version).containsExactly("1.1.0");
        }
    }

    @Test
    void aGoodReleaseGoesThroughEveryStepWithNoFailedCallAndReplacesItsBaseline() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 2);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)");
            load.start();
            Rollout.Result result;
            List<String> log = new CopyOnWriteArrayList<>();
            try {
                // the same speed on both sides: a latency ratio on sub-millisecond calls is noise, so bound it loosely
                result = deployUnderRule(cluster, "greeter-1.1.0", FAST_RULE.replace("maxVsBaseline: 1.5",
                        "maxVsBaseline: 20"), log);
            } finally {
                load.stop();
            }
            RolloutRecord rollout = result.rollout();
            assertThat(rollout.phase()).as(String.join("\n", log)).isEqualTo(Phase.PROMOTED);
            assertThat(result.ok()).isTrue();
            assertThat(load.failures()).isEmpty();
            assertThat(rollout.events()).extracting(RolloutRecord.Event::what).anySatisfy(
                    e -> assertThat(e).startsWith("step 1/3: weight 10, hold 3s")).anySatisfy(
                    e -> assertThat(e).startsWith("step 2/3: weight 50, hold 3s")).anySatisfy(
                    e -> assertThat(e).isEqualTo("promoted: weight 100, 1.0.0 retired"));
            assertThat(rollout.evaluations()).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.verdict()).isEqualTo(Verdict.PASS));
            long firstStep = rollout.events().stream().filter(e -> e.what().startsWith("step 1/3")).findFirst()
                    .orElseThrow().at();
            assertThat(rollout.endedAt() - firstStep).as("the holds add up to 6 s").isGreaterThanOrEqualTo(6000);
            assertThat(new DeploymentStore(cluster.registry()).read("greeter").versions())
                    .extracting(v -> v.version() + "@" + v.weight()).containsExactly("1.1.0@100");
        }
    }

    @Test
    void aCanaryNoCallerReachesIsHeldOrFailedAsTheRuleSays() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 1);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            // callers whose range stops below 1.1: the canary never gets a call
            SteadyLoad load = new SteadyLoad(client, "[1.0,1.1)", "[1.0,1.1)");
            load.start();
            try {
                Rollout.Result held = deployUnderRule(cluster, "greeter-1.1.0", FAST_RULE, null, true);
                assertThat(held.rollout().phase()).isEqualTo(Phase.STARTING);
                RolloutStore rollouts = new RolloutStore(cluster.registry());
                await().atMost(Duration.ofSeconds(30)).until(() -> rollouts.read("greeter").orElseThrow().record()
                        .evaluations().stream().filter(e -> e.verdict() == Verdict.NO_DATA).count() >= 5);
                RolloutRecord stillHeld = rollouts.read("greeter").orElseThrow().record();
                assertThat(stillHeld.phase()).isEqualTo(Phase.RUNNING);
                assertThat(stillHeld.step()).as("3 s hold long past, no data: held at the first step").isZero();
                assertThat(stillHeld.evaluations().get(0).note()).startsWith("no data: 0 canary calls, fewer than"
                        + " minCalls 10 (onNoData: hold)");

                RolloutRecord aborted = cluster.admin().actOnRollout("greeter", "abort", "itest");
                assertThat(aborted.phase()).isEqualTo(Phase.ABORTED);
                assertThat(new DeploymentStore(cluster.registry()).read("greeter").versions())
                        .extracting(DeployedVersion::version).containsExactly("1.0.0");

                Rollout.Result failed = deployUnderRule(cluster, "greeter-1.1.0",
                        FAST_RULE.replace("onNoData: hold", "onNoData: fail"), new CopyOnWriteArrayList<>());
                assertThat(failed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
                assertThat(failed.rollout().outcome()).contains("no data: 0 canary calls");
            } finally {
                load.stop();
            }
            assertThat(load.failures()).isEmpty();
        }
    }

    @Test
    void aRolloutThatCannotStartWritesNothing() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 1)) {
            // nothing deployed: nothing to measure the release against
            assertThatThrownBy(() -> deployUnderRule(cluster, "greeter-1.0.0", FAST_RULE, List.of()))
                    .isInstanceOf(AdminException.class)
                    .hasMessageContaining("greeter has no lower version of major 1 deployed (nothing is deployed)")
                    .extracting(e -> ((AdminException) e).code()).isEqualTo("RULE_REFUSED");
            assertThat(new RolloutStore(cluster.registry()).read("greeter")).isEmpty();
            assertThat(new DeploymentStore(cluster.registry()).read("greeter").versions()).isEmpty();

            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            long revision = new DeploymentStore(cluster.registry()).read("greeter").revision();
            assertThatThrownBy(() -> cluster.admin().startRollout("greeter", new RolloutAction("start", "1.1.0",
                    FAST_RULE.replace("weight: 50", "weight: 5"), "bad.yaml", null, null, null, null, null, "itest")))
                    .isInstanceOf(AdminException.class)
                    .hasMessageContaining("bad.yaml line 4: weight 5 does not rise above the step before (10)")
                    .extracting(e -> ((AdminException) e).code()).isEqualTo("RULE_REFUSED");
            assertThatThrownBy(() -> cluster.admin().startRollout("greeter", new RolloutAction("start", "1.0.0",
                    FAST_RULE, "fast.yaml", null, null, null, null, null, "itest")))
                    .isInstanceOf(AdminException.class).hasMessageContaining("1.0.0 is already deployed");
            assertThat(new RolloutStore(cluster.registry()).read("greeter")).isEmpty();
            assertThat(new DeploymentStore(cluster.registry()).read("greeter").revision()).isEqualTo(revision);
        }
    }

    private static Rollout.Result deployUnderRule(DeployCluster cluster, String release, String rule,
            List<String> log) throws InterruptedException {
        return deployUnderRule(cluster, release, rule, log, false);
    }

    private static Rollout.Result deployUnderRule(DeployCluster cluster, String release, String rule,
            List<String> log, boolean noWait) throws InterruptedException {
        return cluster.rollout().deploy(new Rollout.Request(List.of(SampleReleases.bundle(release)), null, 100,
                false, DeployedVersion.ALL_NODES, false, !noWait, false, Duration.ofSeconds(60), "itest"),
                new RuleRollout.Choice.Given(rule, "test-rule.yaml"), new RuleRollout.Listener() {
                    @Override
                    public void event(RolloutRecord.Event event) {
                        if (log != null) {
                            log.add(event.what());
                        }
                    }

                    @Override
                    public void evaluation(RolloutRecord.Evaluation evaluation) {
                        if (log != null) {
                            log.add(evaluation.verdict() + " " + evaluation.canaryCalls() + " " + evaluation.gates());
                        }
                    }
                }, Duration.ofSeconds(90));
    }
}
