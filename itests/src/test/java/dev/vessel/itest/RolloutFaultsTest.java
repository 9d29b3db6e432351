package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.deploy.RuleRollout;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentRevision;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.RolloutRecord.Phase;
import dev.vessel.registry.RolloutStore;
import dev.vessel.router.VesselClient;
import dev.vessel.test.VesselTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts under a rule through faults: the node that drives them killed with SIGKILL in the middle of one (another
 * node takes over from the recorded step: no step repeated, none taken without an evaluation of its own), the
 * ZooKeeper leader killed during one (nothing decided is lost), and two services rolling out at once (each decided
 * by its own calls). Every call of the load is counted; none may fail but a faulty canary's own.
 */
class RolloutFaultsTest {
    private static final String RULE = """
            steps:
              - weight: 10
                hold: 4s
              - weight: 50
                hold: 4s
              - weight: 100
            analysis:
              interval: 1s
              window: 3s
              minCalls: 5
              onNoData: hold
              failureLimit: 1
              gates:
                - metric: error-rate
                  max: 0.05
            """;

    @TempDir
    Path data;

    @Test
    void aDriverKilledMidRolloutIsReplacedAndTheRolloutGoesOnFromItsStep() throws Exception {
        try (VesselTestCluster cluster = VesselTestCluster.builder().directory(data).nodes(0).withoutRelays()
                .start()) {
            // the process starts first, so it holds the driver's latch; the releases run on node-2 only, so that
            // killing it costs no call
            NodeProcess.Launched driver = NodeProcess.launch(cluster.zkConnect(), data, "node-1");
            try (RegistryConnection registry = RegistryConnection.connect(cluster.zkConnect());
                    VesselClient client = VesselClient.connect(cluster.zkConnect())) {
                VesselNode other = cluster.addNode("node-2", config -> { }).vesselNode();
                assertThat(driverOf(registry)).isEqualTo("node-1");
                AdminClient admin = new AdminClient(other.url(), SampleReleases.TOKEN);
                Rollout rollout = new Rollout(admin, registry, (phase, convergence) -> { });
                assertThat(rollout.deploy(request("greeter-1.0.0", null, "node-2", true)).ok()).isTrue();
                SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)");
                load.start();
                RolloutRecord ended;
                long killedAt;
                try {
                    startUnderRule(rollout, "greeter-1.1.0", null, "node-2");
                    RolloutStore rollouts = new RolloutStore(registry);
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        RolloutRecord now = rollouts.read("greeter").orElseThrow().record();
                        return now.phase() == Phase.RUNNING && !now.evaluations().isEmpty();
                    });
                    killedAt = System.currentTimeMillis();
                    driver.process().destroyForcibly(); // SIGKILL
                    assertThat(driver.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                    ended = await().atMost(Duration.ofSeconds(90)).until(
                            () -> rollouts.read("greeter").orElseThrow().record(), r -> r.phase().ended());
                } finally {
                    load.stop();
                }
                assertThat(ended.phase()).as(ended.outcome()).isEqualTo(Phase.PROMOTED);
                assertThat(driverOf(registry)).isEqualTo("node-2");
                Deployment desired = new DeploymentStore(registry).read("greeter");
                assertThat(countActions(desired, "step 2/3")).as("step 2 taken once").isEqualTo(1);
                assertThat(countActions(desired, "promoted")).as("promoted once").isEqualTo(1);
                // the step after the takeover was taken on an evaluation the new driver made
                long step2 = ended.events().stream().filter(e -> e.what().startsWith("step 2/3")).findFirst()
                        .orElseThrow().at();
                if (step2 > killedAt) {
                    assertThat(ended.evaluations()).anySatisfy(e -> assertThat(e.at()).isBetween(killedAt, step2));
                }
                assertThat(desired.history()).filteredOn(r -> r.at() > killedAt && r.by().startsWith("rollout"))
                        .isNotEmpty().allSatisfy(r -> assertThat(r.by()).isEqualTo("rollout driver on node-2"));
                assertThat(load.failures()).isEmpty();
            } finally {
                driver.process().destroyForcibly();
            }
        }
    }

    @Test
    void theZooKeeperLeaderKilledDuringARolloutLosesNothingDecided() throws Exception {
        try (TestingCluster ensemble = new TestingCluster(3)) {
            ensemble.start();
            String zk = ensemble.getConnectString();
            try (VesselTestCluster cluster = VesselTestCluster.builder().zooKeeper(zk).directory(data).nodes(2)
                            .start();
                    RegistryConnection registry = RegistryConnection.connect(zk);
                    VesselClient client = VesselClient.connect(zk)) {
                VesselNode two = cluster.node(1).vesselNode();
                Rollout rollout = new Rollout(new AdminClient(two.url(), SampleReleases.TOKEN), registry,
                        (phase, convergence) -> { });
                assertThat(rollout.deploy(request("greeter-1.0.0", null, "*", true)).ok()).isTrue();
                SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)");
                load.start();
                RolloutRecord ended;
                try {
                    startUnderRule(rollout, "greeter-1.1.0", null, "*");
                    RolloutStore rollouts = new RolloutStore(registry);
                    await().atMost(Duration.ofSeconds(60)).until(() -> rollouts.read("greeter").orElseThrow()
                            .record().phase() == Phase.RUNNING);
                    ensemble.killServer(leader(ensemble));
                    ended = await().atMost(Duration.ofSeconds(120)).until(
                            () -> rollouts.read("greeter").orElseThrow().record(), r -> r.phase().ended());
                } finally {
                    load.stop();
                }
                assertThat(ended.phase()).as(ended.outcome()).isEqualTo(Phase.PROMOTED);
                Deployment desired = new DeploymentStore(registry).read("greeter");
                assertThat(countActions(desired, "step 2/3")).isEqualTo(1);
                assertThat(countActions(desired, "promoted")).isEqualTo(1);
                assertThat(ended.events()).extracting(RolloutRecord.Event::what)
                        .filteredOn(w -> w.startsWith("step ") || w.startsWith("promoted"))
                        .hasSize(3);
                assertThat(load.failures()).isEmpty();
            }
        }
    }

    @Test
    void twoServicesRollingOutAtOnceAreEachDecidedByTheirOwnCalls() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 2);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            Rollout rollout = cluster.rollout();
            assertThat(rollout.deploy(request("greeter-1.1.0", "greeter", "*", true)).ok()).isTrue();
            assertThat(rollout.deploy(request("greeter-1.0.0", "welcome", "*", true)).ok()).isTrue();
            SteadyLoad greeter = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)");
            SteadyLoad welcome = SteadyLoad.on(client, "welcome", "[1.0,2.0)", "[1.0,2.0)");
            greeter.start();
            welcome.start();
            RolloutRecord bad;
            RolloutRecord good;
            try {
                startUnderRule(rollout, "greeter-faulty", "greeter", "*");
                startUnderRule(rollout, "greeter-1.1.0", "welcome", "*");
                RolloutStore rollouts = new RolloutStore(cluster.registry());
                bad = await().atMost(Duration.ofSeconds(90)).until(
                        () -> rollouts.read("greeter").orElseThrow().record(), r -> r.phase().ended());
                good = await().atMost(Duration.ofSeconds(90)).until(
                        () -> rollouts.read("welcome").orElseThrow().record(), r -> r.phase().ended());
            } finally {
                greeter.stop();
                welcome.stop();
            }
            assertThat(bad.phase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(good.phase()).as(good.outcome()).isEqualTo(Phase.PROMOTED);
            assertThat(welcome.failures()).isEmpty();
            assertThat(greeter.failures()).allSatisfy(f -> assertThat(f).contains("fails every third call"));
            assertThat(greeter.failuresAfter(bad.endedAt() + 1000)).isEmpty();
        }
    }

    private static Rollout.Request request(String release, String service, String nodes, boolean await) {
        return new Rollout.Request(List.of(SampleReleases.bundle(release)), service, 100, false, nodes, false,
                await, false, Duration.ofSeconds(60), "itest");
    }

    /** Starts the release's rollout under {@link #RULE} and returns at once: the cluster runs it. */
    private static void startUnderRule(Rollout rollout, String release, String service, String nodes)
            throws InterruptedException {
        Rollout.Result started = rollout.deploy(request(release, service, nodes, false),
                new RuleRollout.Choice.Given(RULE, "rule.yaml"), null, null);
        assertThat(started.rollout().phase()).isEqualTo(Phase.STARTING);
    }

    private static long countActions(Deployment desired, String part) {
        return desired.history().stream().map(DeploymentRevision::action).filter(a -> a.contains(part)).count();
    }

    /** Who holds the rollout driver's latch: the participant with the lowest sequence number. */
    private static String driverOf(RegistryConnection registry) throws Exception {
        String path = registry.layout().rolloutDriver();
        List<String> children = registry.curator().getChildren().forPath(path);
        String first = children.stream().min((a, b) -> a.substring(a.lastIndexOf('-') + 1)
                .compareTo(b.substring(b.lastIndexOf('-') + 1))).orElseThrow();
        return new String(registry.curator().getData().forPath(path + "/" + first), StandardCharsets.UTF_8);
    }

    private static InstanceSpec leader(TestingCluster ensemble) {
        for (InstanceSpec spec : ensemble.getInstances()) {
            try {
                if (FourLetterWordMain.send4LetterWord("127.0.0.1", spec.getPort(), "srvr").contains("Mode: leader")) {
                    return spec;
                }
            } catch (Exception downOrLooking) {
                // not this one
            }
        }
        throw new AssertionError("the ensemble has no leader");
    }
}
