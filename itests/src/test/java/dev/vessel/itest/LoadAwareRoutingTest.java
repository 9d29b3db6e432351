package dev.vessel.itest;

import static dev.vessel.itest.SampleReleases.deploy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.router.CallOptions;
import dev.vessel.router.CallResult;
import dev.vessel.router.VesselClient;
import dev.vessel.test.VesselTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router's view of node health and load, against real nodes. */
class LoadAwareRoutingTest {
    @TempDir
    Path data;

    private VesselTestCluster cluster;
    private Process killed;

    @BeforeEach
    void start() {
        cluster = VesselTestCluster.builder().directory(data).nodes(0).withoutRelays().start();
    }

    @AfterEach
    void stop() {
        if (killed != null) {
            killed.destroyForcibly();
        }
        cluster.close();
    }

    @Test
    void aNodePublishesTheLoadOfItsContainersAtABoundedRate() throws Exception {
        Duration interval = Duration.ofMillis(200);
        VesselNode node = cluster.addNode("n1", config -> config.loadPublishInterval(interval)).vesselNode();
        try (DesiredState desired = SampleReleases.desiredState(cluster.zkConnect());
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            deploy(desired, node, "greeter-1.0.0");
            AtomicInteger tableChanges = new AtomicInteger();
            client.onRoutesChanged("greeter", tableChanges::incrementAndGet);
            long started = System.nanoTime();

            SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)",
                    "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)");
            load.start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> published(client) > 0);
            } finally {
                load.stop();
            }
            assertThat(load.failures()).isEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> published(client) == 0);

            long intervals = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) / interval.toMillis();
            assertThat(tableChanges.get()).as("one record update per interval at most").isBetween(2, (int) intervals + 1);
        }
    }

    private static double published(VesselClient client) {
        return client.instances("greeter").stream().mapToDouble(InstanceRecord::load).sum();
    }

    /**
     * A node killed with SIGKILL stays registered until its session expires; calls that try it are refused and go
     * elsewhere, and after three refusals the client stops trying it. Its successor under the same id (new port)
     * is a different endpoint and takes calls at once.
     */
    @Test
    void aKilledNodeIsEjectedAndItsSuccessorServesAtOnce() throws Exception {
        killed = NodeProcess.launch(cluster.zkConnect(), data.resolve("killed"), "n1", "greeter-1.0.0").process();
        VesselNode survivor = cluster.addNode("n2", config -> { }).vesselNode();
        try (DesiredState desired = SampleReleases.desiredState(cluster.zkConnect());
                VesselClient client = VesselClient.builder().connectString(cluster.zkConnect())
                        .ejection(3, Duration.ofMinutes(5), Duration.ofMinutes(5), 0.5).build()) {
            deploy(desired, survivor, "greeter-1.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> client.instances("greeter").size() == 2);
            killed.destroyForcibly();
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();

            int extraAttempts = 0;
            for (int i = 0; i < 100; i++) {
                CallResult result = client.call(CallOptions.DEFAULT, "greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
                assertThat(result.instanceId()).isEqualTo("n2.greeter-1.0.0");
                extraAttempts += result.attempts() - 1;
            }
            assertThat(extraAttempts).as("refusals before the dead node was ejected").isEqualTo(3);
            assertThat(client.instances("greeter")).as("still registered: its session has not expired").hasSize(2);

            VesselNode successor = cluster.addNode("n1", config -> { }).vesselNode();
            deploy(desired, successor, "greeter-1.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> client.instances("greeter").stream()
                    .anyMatch(i -> i.node().equals("n1") && i.port() == successor.port()));
            Set<String> answeredBy = new HashSet<>();
            for (int i = 0; i < 200 && answeredBy.size() < 2; i++) {
                answeredBy.add(client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").instanceId());
            }
            assertThat(answeredBy).containsExactlyInAnyOrder("n1.greeter-1.0.0", "n2.greeter-1.0.0");
        }
    }
}
