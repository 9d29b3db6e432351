package dev.vessel.itest;

import static dev.vessel.itest.SampleReleases.deploy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.router.CallResult;
import dev.vessel.router.NoCompatibleVersionException;
import dev.vessel.router.VersionRanges;
import dev.vessel.router.VesselClient;
import dev.vessel.test.VesselTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

/**
 * Real nodes, real ZooKeeper, real HTTP: node a runs greeter 1.0.0, 1.1.0 and 2.0.0; node b runs 1.1.0 on a
 * registry session the test controls. A client in its own session routes by version range.
 */
class RoutingAcrossNodesTest {
    @TempDir
    Path data;

    private VesselTestCluster cluster;
    private VesselNode a;
    private VesselNode b;
    private VesselClient client;
    private DesiredState desired;

    @BeforeEach
    void start() throws Exception {
        cluster = VesselTestCluster.builder().directory(data).nodes(0).withoutRelays().start();
        desired = SampleReleases.desiredState(cluster.zkConnect());
        a = cluster.addNode("a", config -> { }).vesselNode();
        deploy(desired, a, "greeter-1.0.0", "greeter-1.1.0", "greeter-2.0.0");
        b = cluster.addNode("b", config -> { }).vesselNode();
        deploy(desired, b, "greeter-1.1.0");
        client = VesselClient.connect(cluster.zkConnect());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        desired.close();
        cluster.close();
    }

    @Test
    void eachRangeReachesTheNewestCompatibleVersion() {
        CallResult newestOne = client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
        assertThat(newestOne.version()).isEqualTo("1.1.0");
        assertThat(newestOne.text()).isEqualTo("Hello, Ada! (greeter 1.1.0)");

        CallResult two = client.call("greeter", "[2.0,3.0)", "greeter", "greet", "Ada", "en");
        assertThat(two.version()).isEqualTo("2.0.0");
        assertThat(two.as(Greeting.class)).isEqualTo(new Greeting("Hello, Ada! (greeter 2.0.0)", "en", "2.0.0"));

        CallResult pinned = client.call("greeter", VersionRanges.exactly("1.0.0"), "greeter", "greet", "Ada");
        assertThat(pinned.text()).isEqualTo("Hello, Ada! (greeter 1.0.0)");

        assertThatThrownBy(() -> client.call("greeter", "[3.0,4.0)", "greeter", "greet", "Ada"))
                .isInstanceOfSatisfying(NoCompatibleVersionException.class, e -> assertThat(e.availableVersions())
                        .containsExactly(Version.parseVersion("1.0.0"), Version.parseVersion("1.1.0"),
                                Version.parseVersion("2.0.0")))
                .hasMessageContaining("ACTIVE versions: 1.0.0, 1.1.0, 2.0.0");
    }

    @Test
    void callsSpreadOverEveryInstanceOfTheChosenVersion() {
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            CallResult result = client.call("greeter", VersionRanges.compatibleWith("1.0"), "greeter", "greet", "Ada");
            assertThat(result.version()).isEqualTo("1.1.0");
            answeredBy.add(result.instanceId());
        }
        assertThat(answeredBy).containsExactlyInAnyOrder("a.greeter-1.1.0", "b.greeter-1.1.0");
    }

    @Test
    void aStoppedContainerLeavesAnotherSessionsRoutingTableThroughItsWatch() throws Exception {
        client.instances("greeter"); // start watching
        CountDownLatch changed = new CountDownLatch(1);
        client.onRoutesChanged("greeter", changed::countDown);

        desired.stop(b, "greeter", "1.1.0");

        assertThat(changed.await(10, TimeUnit.SECONDS)).as("routing table changed").isTrue();
        assertThat(client.instances("greeter")).extracting(InstanceRecord::id)
                .doesNotContain("b.greeter-1.1.0")
                .contains("a.greeter-1.1.0");
        for (int i = 0; i < 5; i++) {
            assertThat(client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").instanceId())
                    .isEqualTo("a.greeter-1.1.0");
        }
    }

    @Test
    void aNodeWhoseSessionDiesDisappearsAndCallsMoveToTheOthers() throws Exception {
        client.instances("greeter");
        CountDownLatch changed = new CountDownLatch(1);
        client.onRoutesChanged("greeter", changed::countDown);

        cluster.node("b").kill(); // node b's process is gone: its ephemeral registrations go with its session

        assertThat(changed.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.instances("greeter"))
                .extracting(InstanceRecord::node).containsOnly("a"));
        assertThat(client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").instanceId())
                .isEqualTo("a.greeter-1.1.0");
    }

    @Test
    void afterTheNodesSessionExpiresEveryInstanceIsBack() throws Exception {
        ClusterReader view;
        RegistryConnection observer = RegistryConnection.connect(cluster.zkConnect());
        view = new ClusterReader(observer);
        List<String> before = ids(view.instances());
        assertThat(before).hasSize(4);

        cluster.zooKeeper().expireSession(cluster.node("b"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ids(view.instances())).containsExactlyElementsOf(before);
            assertThat(view.nodes()).extracting(n -> n.id()).containsExactlyInAnyOrder("a", "b");
            assertThat(view.status("b")).hasValueSatisfying(s -> assertThat(s.containers())
                    .extracting(c -> c.state()).containsExactly(InstanceState.ACTIVE));
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.instances("greeter"))
                .extracting(InstanceRecord::id).contains("b.greeter-1.1.0"));
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            answeredBy.add(client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").instanceId());
        }
        assertThat(answeredBy).contains("b.greeter-1.1.0");
        observer.close();
    }

    @Test
    void aCallRefusedWithRetryOtherIsRetriedOnAnotherInstanceAndNeverFails() throws Exception {
        // b's 1.1.0 stops (it now answers 503 Vessel-Retry: other), but a router can still hold its old record
        // for a moment: re-register that record to reproduce the race deterministically.
        desired.stop(b, "greeter", "1.1.0");
        InstanceRecord stale = new InstanceRecord("b.greeter-1.1.0", "greeter", "1.1.0", "b", "greeter-1.1.0",
                "default", InstanceState.ACTIVE, 100, b.url().getHost(), b.port());
        try (RegistryConnection other = RegistryConnection.connect(cluster.zkConnect())) {
            new InstanceRegistry(other).register(stale);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.instances("greeter"))
                    .extracting(InstanceRecord::id).contains("b.greeter-1.1.0"));

            int retried = 0;
            for (int i = 0; i < 20; i++) {
                CallResult result = client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
                assertThat(result.instanceId()).isEqualTo("a.greeter-1.1.0");
                assertThat(result.text()).isEqualTo("Hello, Ada! (greeter 1.1.0)");
                if (result.attempts() > 1) {
                    retried++;
                }
            }
            assertThat(retried).as("calls that first reached the stopped container").isBetween(1, 20);
        }
    }

    /** The client's own view of greeter 2's answer: clients need no class of the release. */
    record Greeting(String message, String language, String version) {}

    private static List<String> ids(List<InstanceRecord> records) {
        return records.stream().map(InstanceRecord::id).sorted().toList();
    }
}
