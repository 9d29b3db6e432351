package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static dev.vessel.host.NodeTestSupport.config;
import static dev.vessel.host.NodeTestSupport.post;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.internal.RecordJson;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration revisions in the registry reach the running containers of their service, live, and each
 * container reports the revision it holds in its node's status record; a container that starts later gets the
 * current revision before its release starts, so its first answer is already configured.
 */
class LiveConfigurationTest {
    private static final String SERVICE = "configurable-greeter";
    private static final String PID = "dev.vessel.sample.configurable.greeting";

    @TempDir
    Path data;

    private TestingServer zk;
    private RegistryConnection admin;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        admin = RegistryConnection.connect(zk.getConnectString());
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        zk.close();
    }

    private static String greet(VesselNode node) throws Exception {
        HttpResponse<String> response = post(node, "/v1/call/" + SERVICE + "/1.0.0/greeter/greet", "[\"Ada\"]");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private ContainerStatus reported(VesselNode node) throws Exception {
        byte[] bytes = admin.curator().getData().forPath(admin.layout().status(node.nodeId()));
        return RecordJson.read(bytes, NodeStatus.class).containers().stream().filter(c -> c.service()
                .equals(SERVICE)).findFirst().orElseThrow();
    }

    @Test
    void aNewRevisionReachesTheRunningContainerAndIsAcknowledged() throws Exception {
        ConfigurationStore store = new ConfigurationStore(admin);
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).build())) {
            ContainerInfo started = new DesiredState(admin, ADMIN_TOKEN).deploy(node, release(SERVICE));
            assertThat(started.state()).as(started.error()).isEqualTo(InstanceState.ACTIVE);
            assertThat(greet(node)).isEqualTo("\"Hello, Ada! (configurable-greeter 1.0.0)\"");

            store.write(SERVICE, 0, Map.of(PID, Map.of("salutation", "Welcome", "emphasis", 2)), "ada", "warmer");
            await().atMost(Duration.ofSeconds(10)).until(() -> greet(node)
                    .equals("\"Welcome, Ada!! (configurable-greeter 1.0.0)\""));
            await().atMost(Duration.ofSeconds(10)).until(() -> reported(node).configRevision() == 1);
            assertThat(reported(node).configError()).isNull();

            // the next revision drops the PID: the component is back at its defaults
            store.write(SERVICE, 1, Map.of(), "ada", "back to defaults");
            await().atMost(Duration.ofSeconds(10)).until(() -> greet(node)
                    .equals("\"Hello, Ada! (configurable-greeter 1.0.0)\""));
            await().atMost(Duration.ofSeconds(10)).until(() -> reported(node).configRevision() == 2);

            ContainerInfo after = node.containers().stream().filter(c -> c.service().equals(SERVICE)).findFirst()
                    .orElseThrow();
            assertThat(after.since()).as("never restarted").isEqualTo(started.since());
        }
    }

    @Test
    void aContainerThatStartsLaterIsConfiguredBeforeItAnswers() throws Exception {
        new ConfigurationStore(admin).write(SERVICE, 0, Map.of(PID, Map.of("salutation", "Howdy", "style",
                "upper")), "ada", "set before any container");
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).build())) {
            ContainerInfo started = new DesiredState(admin, ADMIN_TOKEN).deploy(node, release(SERVICE));
            assertThat(started.state()).as(started.error()).isEqualTo(InstanceState.ACTIVE);
            assertThat(started.configRevision()).isEqualTo(1);
            // the very first call, right after the deploy returned: no default was ever served
            assertThat(greet(node)).isEqualTo("\"HOWDY, ADA! (configurable-greeter 1.0.0)\"");
        }
    }

    /**
     * What a container does with a component whose {@code @Modified} throws: Declarative Services logs it and the
     * component keeps running with the values it had; the container stays ACTIVE, answers as before and reports
     * the revision failed, naming the component and its exception. The next good revision is taken as usual.
     */
    @Test
    void aComponentThatThrowsOnReconfigurationKeepsItsPreviousValues() throws Exception {
        ConfigurationStore store = new ConfigurationStore(admin);
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).build())) {
            ContainerInfo started = new DesiredState(admin, ADMIN_TOKEN).deploy(node, release(SERVICE));
            store.write(SERVICE, 0, Map.of(PID, Map.of("salutation", "Welcome")), "ada", "warmer");
            await().atMost(Duration.ofSeconds(10)).until(() -> greet(node)
                    .equals("\"Welcome, Ada! (configurable-greeter 1.0.0)\""));

            store.write(SERVICE, 1, Map.of(PID, Map.of("salutation", " ")), "ada", "blank: the component throws");
            await().atMost(Duration.ofSeconds(10)).until(() -> reported(node).configRevision() == 2);
            // the previous values, for as long as anyone looks (a good revision shows within milliseconds)
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> greet(node)
                    .equals("\"Welcome, Ada! (configurable-greeter 1.0.0)\""));
            ContainerInfo after = node.containers().stream().filter(c -> c.service().equals(SERVICE)).findFirst()
                    .orElseThrow();
            assertThat(after.state()).isEqualTo(InstanceState.ACTIVE);
            assertThat(after.since()).isEqualTo(started.since());
            assertThat(after.configRevision()).isEqualTo(2);
            assertThat(after.configError()).startsWith("revision 2: component ")
                    .contains("ConfigurableGreeterComponent refused it")
                    .contains("IllegalArgumentException: the salutation must not be blank");
            assertThat(reported(node).configError()).isEqualTo(after.configError());

            store.write(SERVICE, 2, Map.of(PID, Map.of("salutation", "Hi")), "ada", "fixed");
            await().atMost(Duration.ofSeconds(10)).until(() -> reported(node).configRevision() == 3);
            assertThat(reported(node).configError()).isNull();
            assertThat(greet(node)).isEqualTo("\"Hi, Ada! (configurable-greeter 1.0.0)\"");
        }
    }

    /**
     * ZooKeeper down in the middle of a configuration change: containers keep answering with what they hold, the
     * change made meanwhile waits (the writer's retries) and is written once, whole, when ZooKeeper is back, and
     * then reaches the running container as usual.
     */
    @Test
    void aZooKeeperOutageDuringAChangeLosesNothingAndStopsNoCall() throws Exception {
        ConfigurationStore store = new ConfigurationStore(admin);
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).build())) {
            ContainerInfo started = new DesiredState(admin, ADMIN_TOKEN).deploy(node, release(SERVICE));
            store.write(SERVICE, 0, Map.of(PID, Map.of("salutation", "Before")), "ada", "before the outage");
            await().atMost(Duration.ofSeconds(10)).until(() -> greet(node)
                    .equals("\"Before, Ada! (configurable-greeter 1.0.0)\""));

            zk.stop();
            java.util.concurrent.CompletableFuture<dev.vessel.registry.ConfigurationRevision> during =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> store.write(SERVICE, 1, Map.of(PID,
                            Map.of("salutation", "During")), "ada", "during the outage"));
            for (int i = 0; i < 20; i++) {
                assertThat(greet(node)).as("calls go on without ZooKeeper")
                        .isEqualTo("\"Before, Ada! (configurable-greeter 1.0.0)\"");
            }
            assertThat(during).as("the change waits for ZooKeeper").isNotDone();
            zk.restart();

            assertThat(during.get(60, java.util.concurrent.TimeUnit.SECONDS).revision()).isEqualTo(2);
            assertThat(store.history(SERVICE)).extracting(dev.vessel.registry.ConfigurationRevision::message)
                    .containsExactly("before the outage", "during the outage");
            await().atMost(Duration.ofSeconds(30)).until(() -> greet(node)
                    .equals("\"During, Ada! (configurable-greeter 1.0.0)\""));
            await().atMost(Duration.ofSeconds(30)).until(() -> reported(node).configRevision() == 2);
            assertThat(node.containers().stream().filter(c -> c.service().equals(SERVICE)).findFirst().orElseThrow()
                    .since()).as("never restarted").isEqualTo(started.since());
        }
    }
}
