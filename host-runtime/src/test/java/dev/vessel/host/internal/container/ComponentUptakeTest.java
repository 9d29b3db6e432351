package dev.vessel.host.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.registry.InstanceState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a container's components took a configuration revision, as {@link ComponentUptake} tells it: one real
 * Felix framework with Declarative Services and Configuration Admin running the configurable greeter, whose
 * modified method refuses a blank salutation. No registry: the revisions are handed to the container directly.
 */
class ComponentUptakeTest {
    private static final String PID = "dev.vessel.sample.configurable.greeting";
    private static final Duration UPTAKE = Duration.ofSeconds(10);

    @TempDir
    Path storage;

    private Container container;

    @BeforeEach
    void start() {
        Release release = ReleaseReader.read(List.of(Path.of(System.getProperty("vessel.test.releases"),
                "configurable-greeter.jar")));
        container = new Container(release.id(), storage, new Container.Settings(
                "org.slf4j;version=2.0.17,org.slf4j;version=1.7.36", Duration.ofSeconds(10), Duration.ofSeconds(5),
                Container.Registration.NONE, new Container.Placement("n1", "default", "127.0.0.1", 1)), c -> { });
        container.start(release, 100, new Bulkhead.Limits(2, 2));
        assertThat(container.state()).as(String.valueOf(container.error())).isEqualTo(InstanceState.ACTIVE);
    }

    @AfterEach
    void stop() {
        container.stop(Duration.ZERO, Duration.ofSeconds(5));
    }

    @Test
    void aRevisionTheComponentTakesIsAppliedWithoutAnError() throws Exception {
        assertThat(container.reconfigure(new Container.Configuration(1, Map.of(PID, Map.of("salutation", "Howdy"))),
                UPTAKE)).isTrue();
        assertThat(container.info().configRevision()).isEqualTo(1);
        assertThat(container.info().configError()).isNull();
        assertThat(container.configuration(PID)).containsEntry("salutation", "Howdy");
    }

    @Test
    void aRevisionTheModifiedMethodRefusesIsReportedWithTheComponentsOwnReason() throws Exception {
        container.reconfigure(new Container.Configuration(1, Map.of(PID, Map.of("salutation", "Howdy"))), UPTAKE);
        assertThat(container.reconfigure(new Container.Configuration(2, Map.of(PID, Map.of("salutation", " "))),
                UPTAKE)).isTrue();
        assertThat(container.info().configRevision()).isEqualTo(2);
        assertThat(container.info().configError()).startsWith("revision 2: ")
                .contains("ConfigurableGreeterComponent refused it")
                .contains("the salutation must not be blank");
        assertThat(container.state()).as("it keeps serving with what it had").isEqualTo(InstanceState.ACTIVE);

        // the next good revision clears the error
        container.reconfigure(new Container.Configuration(3, Map.of(PID, Map.of("salutation", "Fine"))), UPTAKE);
        assertThat(container.info().configError()).isNull();
    }

    @Test
    void aSecretValueNeverAppearsInTheReportedRefusal() throws Exception {
        container.reconfigure(new Container.Configuration(1, Map.of(PID, Map.of("salutation", " ", "apiKey",
                "hunter2-secret")), Set.of("hunter2-secret")), UPTAKE);
        assertThat(container.info().configError()).contains("the salutation must not be blank")
                .doesNotContain("hunter2-secret");
    }

    @Test
    void anOlderOrTheSameRevisionChangesNothing() throws Exception {
        container.reconfigure(new Container.Configuration(2, Map.of(PID, Map.of("salutation", "Howdy"))), UPTAKE);
        assertThat(container.reconfigure(new Container.Configuration(2, Map.of(PID, Map.of("salutation", " "))),
                UPTAKE)).isFalse();
        assertThat(container.reconfigure(new Container.Configuration(1, Map.of(PID, Map.of("salutation", " "))),
                UPTAKE)).isFalse();
        assertThat(container.configuration(PID)).containsEntry("salutation", "Howdy");
        assertThat(container.info().configError()).isNull();
    }
}
