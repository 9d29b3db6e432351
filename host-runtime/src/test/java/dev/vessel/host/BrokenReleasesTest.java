package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.call;
import static dev.vessel.host.NodeTestSupport.config;
import static dev.vessel.host.NodeTestSupport.jar;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import java.time.Duration;
import java.util.Objects;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each broken fixture fails its own container, with its own reason, while greeter keeps serving. */
class BrokenReleasesTest extends SingleNodeTestBase {
    @BeforeEach
    void greeterServes() {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void anActivatorThatThrowsFailsItsContainer() throws Exception {
        ContainerInfo info = deploy(release("broken-activator"));
        assertThat(info.state()).isEqualTo(InstanceState.FAILED);
        assertThat(info.error())
                .contains("bundle dev.vessel.sample.broken.activator 1.0.0 failed to start")
                .contains("IllegalStateException: refusing to start");
        assertStillServingAndOnlyGreeterRegistered();
        assertFailureIsPublished("broken-activator-1.0.0", "refusing to start");
    }

    @Test
    void anUnresolvableImportFailsItsContainer() throws Exception {
        ContainerInfo info = deploy(release("broken-unresolvable"));
        assertThat(info.state()).isEqualTo(InstanceState.FAILED);
        assertThat(info.error())
                .contains("dev.vessel.sample.broken.unresolvable")
                .contains("missing requirement")
                .contains("dev.vessel.sample.absent");
        assertStillServingAndOnlyGreeterRegistered();
        assertFailureIsPublished("broken-unresolvable-1.0.0", "dev.vessel.sample.absent");
    }

    @Test
    void aJarThatIsNotABundleIsRefusedBeforeAnyContainerExists() throws Exception {
        assertThatThrownBy(() -> ReleaseReader.read(List.of(jar("not-a-bundle"))))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessage("not-a-bundle.jar is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
        // next to a good bundle, the whole release is refused and names the culprit
        assertThatThrownBy(() -> ReleaseReader.read(List.of(jar("greeter-1.1.0"), jar("not-a-bundle"))))
                .hasMessageContaining("not-a-bundle.jar is not an OSGi bundle");
        assertThat(node.containers()).extracting(ContainerInfo::id).containsExactly("greeter-1.0.0");
        assertStillServingAndOnlyGreeterRegistered();
    }

    @Test
    void aReleaseWhoseEndpointNeverAppearsFailsAfterTheReadyTimeout() throws Exception {
        // greeter 1.1.0's bundle, but the release claims an extra endpoint nothing provides
        Release greeter = release("greeter-1.1.0");
        Release claimsMore = new Release(greeter.service(), greeter.version(), greeter.primary(), greeter.bundles(),
                java.util.Set.of("greeter", "missing-endpoint"));
        // the node's own release: started as it is, not read again from its jars (which name only "greeter")
        try (VesselNode impatient = VesselNode.start(config(zk.getConnectString(), data.resolve("n2"))
                .nodeId("n2").readyTimeout(Duration.ofMillis(500)).localRelease(claimsMore).build())) {
            ContainerInfo info = await().atMost(Duration.ofSeconds(30)).until(() -> impatient.containers().stream()
                    .filter(c -> c.state() == InstanceState.FAILED).findFirst().orElse(null), Objects::nonNull);
            assertThat(info.error()).isEqualTo(
                    "endpoint(s) [missing-endpoint] not registered within 500 ms (registered: [greeter])");
        }
        assertStillServingAndOnlyGreeterRegistered();
    }

    private void assertStillServingAndOnlyGreeterRegistered() throws Exception {
        assertThat(call(node, "1.0.0", "greet", "[\"Ada\"]").body()).isEqualTo("\"Hello, Ada! (greeter 1.0.0)\"");
        ClusterReader view = new ClusterReader(reader);
        assertThat(view.instances()).extracting(InstanceRecord::id).containsExactly("n1.greeter-1.0.0");
    }

    private void assertFailureIsPublished(String containerId, String reason) {
        ClusterReader view = new ClusterReader(reader);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(view.status("n1").orElseThrow()
                        .containers())
                .filteredOn(c -> c.id().equals(containerId))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.state()).isEqualTo(InstanceState.FAILED);
                    assertThat(c.error()).contains(reason);
                }));
        assertThat(view.status("n1").orElseThrow().containers())
                .filteredOn(c -> c.id().equals("greeter-1.0.0"))
                .extracting(ContainerStatus::state)
                .containsExactly(InstanceState.ACTIVE);
    }
}
