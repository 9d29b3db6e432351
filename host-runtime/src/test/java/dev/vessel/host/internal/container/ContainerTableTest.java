package dev.vessel.host.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.ContainerId;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container table on its own: real Felix frameworks, no registry (containers are never registered). */
class ContainerTableTest {
    private static final String PID = "dev.vessel.sample.configurable.greeting";

    /** What a node exports to its containers by default: slf4j at 2.x and at 1.7 for bundles built against it. */
    private static final String HOST_PACKAGES = "org.slf4j;version=2.0.17,org.slf4j;version=1.7.36";

    @TempDir
    Path storage;

    private final AtomicInteger changes = new AtomicInteger();
    private final AtomicReference<Container.Configuration> configuration =
            new AtomicReference<>(Container.Configuration.NONE);
    private ContainerTable table;

    private ContainerTable table() {
        Container.Settings settings = new Container.Settings(HOST_PACKAGES, Duration.ofSeconds(10),
                Duration.ofSeconds(5), Container.Registration.NONE,
                new Container.Placement("n1", "default", "127.0.0.1", 1), id -> configuration.get());
        table = new ContainerTable("n1", storage, settings,
                new ContainerTable.Policy(Duration.ZERO, Duration.ofSeconds(5), 8, Duration.ofSeconds(5)),
                changes::incrementAndGet);
        return table;
    }

    @AfterEach
    void close() {
        if (table != null) {
            table.close();
        }
    }

    private static Release release(String name) {
        return ReleaseReader.read(List.of(Path.of(System.getProperty("vessel.test.releases"), name + ".jar")));
    }

    private Container run(String name) {
        Release release = release(name);
        Container container = table.create(release.id());
        container.start(release, 100, table.limits(0));
        return container;
    }

    @Test
    void anIdIsTakenUntilItsContainerHasEndedThenANewContainerTakesIt() {
        ContainerTable table = table();
        ContainerId id = ContainerId.of("greeter", "1.0.0");
        Container first = table.create(id);
        assertThatThrownBy(() -> table.create(id)).isInstanceOf(IllegalStateException.class)
                .hasMessage("greeter-1.0.0 already runs on node n1 (PENDING)");
        first.failBeforeStart("the test ends it");
        Container second = table.create(id);
        assertThat(second).isNotSameAs(first);
        assertThat(table.get(id)).containsSame(second);
        assertThat(changes.get()).as("each new container and each state change is told").isGreaterThanOrEqualTo(3);
    }

    @Test
    void lookupsSeeEveryContainerByServiceThenVersion() {
        ContainerTable table = table();
        assertThat(run("greeter-2.0.0").state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(run("greeter-1.1.0").state()).isEqualTo(InstanceState.ACTIVE);

        assertThat(table.all()).extracting(c -> c.id().toString()).containsExactly("greeter-1.1.0", "greeter-2.0.0");
        assertThat(table.of("greeter")).hasSize(2);
        assertThat(table.of("other")).isEmpty();
        assertThat(table.find("greeter", "2.0.0").id().toString()).isEqualTo("greeter-2.0.0");
        assertThat(table.find("greeter", "3.0.0")).isNull();
        assertThat(table.find("not a service!", "1.0.0")).as("a name that is no id finds nothing").isNull();
        assertThat(table.hasService("greeter")).isTrue();
        assertThat(table.hasService("other")).isFalse();
        assertThat(table.statuses()).extracting(ContainerStatus::state)
                .containsExactly(InstanceState.ACTIVE, InstanceState.ACTIVE);
        assertThatThrownBy(() -> table.existing(ContainerId.of("greeter", "3.0.0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("greeter-3.0.0")
                .hasMessageContaining("greeter-1.1.0");
    }

    @Test
    void limitsComeFromTheDeploymentOrTheNodesDefault() {
        ContainerTable table = table();
        assertThat(table.limits(0).maxConcurrency()).isEqualTo(8);
        assertThat(table.limits(3).maxConcurrency()).isEqualTo(3);
    }

    @Test
    void closingStopsEveryContainerAndRefusesNewOnes() {
        ContainerTable table = table();
        Container greeter = run("greeter-2.0.0");
        table.retire(run("greeter-1.1.0"));
        assertThat(table.get(ContainerId.of("greeter", "1.1.0")).orElseThrow().state())
                .isEqualTo(InstanceState.STOPPED);

        table.close();
        assertThat(greeter.state()).isEqualTo(InstanceState.STOPPED);
        assertThatThrownBy(() -> table.create(ContainerId.of("greeter", "3.0.0")))
                .isInstanceOf(IllegalStateException.class).hasMessage("node n1 is closed");
        this.table = null;
    }

    @Test
    void aRunningContainerGetsItsServicesNewConfigurationAndAStartingOneTheCurrentOne() {
        ContainerTable table = table();
        // written while nothing runs: the container is given it once ACTIVE
        configuration.set(new Container.Configuration(1, Map.of(PID, Map.of("salutation", "Howdy"))));
        Container container = run("configurable-greeter");
        assertThat(container.state()).as(String.valueOf(container.error())).isEqualTo(InstanceState.ACTIVE);
        await().atMost(Duration.ofSeconds(10)).until(() -> container.info().configRevision() == 1);
        assertThat(container.configuration(PID)).containsEntry("salutation", "Howdy");

        configuration.set(new Container.Configuration(2, Map.of(PID, Map.of("salutation", "Welcome"))));
        table.reconfigure("greeter"); // another service: nothing changes
        table.reconfigure("configurable-greeter");
        await().atMost(Duration.ofSeconds(10)).until(() -> container.info().configRevision() == 2);
        assertThat(container.configuration(PID)).containsEntry("salutation", "Welcome");
    }
}
