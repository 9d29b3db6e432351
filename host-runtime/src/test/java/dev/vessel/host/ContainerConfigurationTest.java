package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static dev.vessel.host.NodeTestSupport.config;
import static dev.vessel.host.NodeTestSupport.post;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
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
 * Every container runs Apache Felix Configuration Admin (and Metatype): a release configured the ordinary OSGi
 * way (Declarative Services, {@code @Designate}) answers with its defaults, changes its answer when its
 * configuration changes, live, and goes back to its defaults when the configuration is removed; the container
 * never restarts meanwhile.
 */
class ContainerConfigurationTest {
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

    private static boolean contains(Path file, String text) {
        try {
            return new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains(text);
        } catch (java.io.IOException gone) {
            return false; // removed while the walk ran
        }
    }

    private static String greet(VesselNode node, String name) throws Exception {
        HttpResponse<String> response = post(node, "/v1/call/" + SERVICE + "/1.0.0/greeter/greet", "[\"" + name
                + "\"]");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    @Test
    void aConfigurationChangeReachesTheRunningReleaseWithoutARestart() throws Exception {
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).build())) {
            ContainerInfo started = new DesiredState(admin, ADMIN_TOKEN).deploy(node, release(SERVICE));
            assertThat(started.state()).as(started.error()).isEqualTo(InstanceState.ACTIVE);
            assertThat(greet(node, "Ada")).isEqualTo("\"Hello, Ada! (configurable-greeter 1.0.0)\"");

            ConfigurationStore configurations = new ConfigurationStore(admin);
            configurations.write(SERVICE, 0, Map.of(PID, Map.of("salutation", "Welcome", "emphasis", 3, "style",
                    "upper")), "ada", "louder");
            await().atMost(Duration.ofSeconds(10)).until(() -> greet(node, "Ada")
                    .equals("\"WELCOME, ADA!!! (configurable-greeter 1.0.0)\""));
            // Configuration Admin keeps it in memory: the registry is where configurations (secrets too) live, and
            // nothing of them is written to the node's disk in clear text
            try (var files = java.nio.file.Files.walk(data)) {
                assertThat(files.filter(java.nio.file.Files::isRegularFile).filter(file -> contains(file, "Welcome"))
                        .toList()).as("files under the node's data directory holding the configured value").isEmpty();
            }
            assertThat(node.configuration(SERVICE, "1.0.0", PID)).containsEntry("salutation", "Welcome")
                    .containsEntry("emphasis", 3);

            // removed, the component is back at its defaults
            configurations.write(SERVICE, 1, Map.of(), "ada", "back to defaults");
            await().atMost(Duration.ofSeconds(10)).until(() -> greet(node, "Ada")
                    .equals("\"Hello, Ada! (configurable-greeter 1.0.0)\""));

            ContainerInfo after = node.containers().stream().filter(c -> c.service().equals(SERVICE)).findFirst()
                    .orElseThrow();
            assertThat(after.since()).as("the same container, never restarted").isEqualTo(started.since());
            assertThat(after.state()).isEqualTo(InstanceState.ACTIVE);
        }
    }

    @Test
    void aContainerThatDoesNotRunIsNamed() {
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).build())) {
            assertThatThrownBy(() -> node.configuration(SERVICE, "1.0.0", PID))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(SERVICE + "-1.0.0");
        }
    }
}
