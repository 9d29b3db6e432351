package dev.vessel.host.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.ContainerId;
import dev.vessel.host.ContainerInfo;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.ReleaseManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler against a real container table (real Felix frameworks, never registered) and releases from the
 * build's sample jars instead of the registry: no ZooKeeper. Desired state is handed to it as the deployment
 * watch would.
 */
class ReconcilerTest {
    private static final NodeRecord SELF = new NodeRecord("n1", "127.0.0.1", 1, "default", Map.of(), 0, 0);

    /** What a node exports to its containers by default: slf4j at 2.x and at 1.7 for bundles built against it. */
    private static final String HOST_PACKAGES = "org.slf4j;version=2.0.17,org.slf4j;version=1.7.36";

    @TempDir
    Path storage;

    private final AtomicBoolean connected = new AtomicBoolean(true);
    private final AtomicInteger changes = new AtomicInteger();
    private final Map<String, ReleaseManifest> recorded = new ConcurrentHashMap<>();
    private ContainerTable table;
    private Reconciler reconciler;

    /** Releases as recorded in {@link #recorded}; bundles read from the build's sample jars. */
    private final ReleaseSource releases = new ReleaseSource() {
        @Override
        public Optional<ReleaseManifest> manifest(String service, String version) {
            return Optional.ofNullable(recorded.get(service + "-" + version));
        }

        @Override
        public Release fetch(ReleaseManifest manifest) {
            List<Path> jars = manifest.bundles().stream().map(b -> jar(b.fileName().replace(".jar", ""))).toList();
            return ReleaseReader.read(jars).withService(manifest.service());
        }
    };

    private Reconciler reconciler(Release... local) {
        table = new ContainerTable("n1", storage, new Container.Settings(HOST_PACKAGES,
                Duration.ofSeconds(10), Duration.ofSeconds(5), Container.Registration.NONE,
                new Container.Placement("n1", "default", "127.0.0.1", 1)),
                new ContainerTable.Policy(Duration.ZERO, Duration.ofSeconds(5), 8, Duration.ofSeconds(5)),
                changes::incrementAndGet);
        NodeMetrics metrics = NodeMetrics.start(table::all, () -> 0, () -> 0, connected::get);
        // no periodic resync during a test: passes come from desired state and from retries after a failure
        reconciler = new Reconciler(SELF, connected::get, table, releases, metrics, changes::incrementAndGet,
                List.of(local), new Reconciler.Settings(Duration.ofHours(1), Duration.ofMillis(50),
                        Duration.ofMillis(200)));
        return reconciler;
    }

    @AfterEach
    void close() {
        if (reconciler != null) {
            reconciler.close();
        }
        if (table != null) {
            table.close();
        }
    }

    private static Path jar(String name) {
        return Path.of(System.getProperty("vessel.test.releases"), name + ".jar");
    }

    /** Records the sample release {@code name} as the registry would, and returns it. */
    private Release record(String name) throws Exception {
        Path jar = jar(name);
        Release release = ReleaseReader.read(List.of(jar));
        recorded.put(release.id().toString(), new ReleaseManifest(release.service(), release.version().toString(),
                release.primary(), List.of(DesiredState.bundleRef(jar)), List.copyOf(release.endpoints()), "", false,
                "test", 0));
        return release;
    }

    private static Deployment revision(Deployment before, DeployedVersion... versions) {
        return before.next(List.of(versions), "deploy", "test");
    }

    private static DeployedVersion on(String version, String nodes) {
        return new DeployedVersion(version, 100, nodes);
    }

    private ContainerInfo awaitState(String id, InstanceState state) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> table.all().stream()
                .filter(c -> c.id().toString().equals(id) && c.state() == state).findFirst()
                .map(Container::info).orElse(null), java.util.Objects::nonNull);
    }

    private List<String> ids() {
        return table.all().stream().map(c -> c.id() + " " + c.state()).toList();
    }

    @Test
    void startsWhatTheDesiredStateSelectsForThisNodeAndNothingElse() throws Exception {
        Reconciler reconciler = reconciler();
        record("greeter-1.0.0");
        record("greeter-2.0.0");
        reconciler.desired(Map.of("greeter", revision(Deployment.empty("greeter"), on("1.0.0", "n1"),
                on("2.0.0", "n2,zone=elsewhere"))));
        awaitState("greeter-1.0.0", InstanceState.ACTIVE);
        assertThat(ids()).as("2.0.0 selects other nodes").containsExactly("greeter-1.0.0 ACTIVE");
        assertThat(reconciler.behind()).isEmpty();
        assertThat(changes.get()).as("status readers are told").isPositive();
    }

    /** greeter 1.0.0 and 1.1.0 recorded, 1.0.0 deployed everywhere and ACTIVE; returns that deployment. */
    private Deployment greeter100Active(Reconciler reconciler) throws Exception {
        record("greeter-1.0.0");
        record("greeter-1.1.0");
        Deployment first = revision(Deployment.empty("greeter"), on("1.0.0", "*"));
        reconciler.desired(Map.of("greeter", first));
        awaitState("greeter-1.0.0", InstanceState.ACTIVE);
        return first;
    }

    @Test
    void aNewRevisionStartsTheReplacementBeforeItRetiresWhatItReplaces() throws Exception {
        Reconciler reconciler = reconciler();
        Deployment first = greeter100Active(reconciler);

        reconciler.desired(Map.of("greeter", revision(first, on("1.1.0", "*"))));
        ContainerInfo retired = awaitState("greeter-1.0.0", InstanceState.STOPPED);
        ContainerInfo replacement = awaitState("greeter-1.1.0", InstanceState.ACTIVE);
        assertThat(replacement.since()).as("the replacement served before the old one stopped")
                .isLessThanOrEqualTo(retired.since());
    }

    @Test
    void aReleaseThatIsNotRecordedIsReportedBehindAndStartedOnceItIs() throws Exception {
        Reconciler reconciler = reconciler();
        reconciler.desired(Map.of("greeter", revision(Deployment.empty("greeter"), on("1.1.0", "*"))));
        NodeStatus.Behind behind = await().atMost(Duration.ofSeconds(30)).until(
                () -> reconciler.behind().stream().findFirst().orElse(null), java.util.Objects::nonNull);
        assertThat(behind.service()).isEqualTo("greeter");
        assertThat(behind.revision()).isEqualTo(1);
        assertThat(behind.lastError()).isEqualTo("the deployment names greeter-1.1.0 but no such release exists");
        assertThat(table.all()).as("nothing was started for it").isEmpty();

        record("greeter-1.1.0"); // nobody deploys again: the retry after the backoff finds it
        awaitState("greeter-1.1.0", InstanceState.ACTIVE);
        await().atMost(Duration.ofSeconds(10)).until(() -> reconciler.behind().isEmpty());
    }

    @Test
    void aReleaseThatFailsIsRetriedWithBackoffUntilTheDesiredStateChanges() throws Exception {
        Reconciler reconciler = reconciler();
        record("broken-activator");
        Deployment broken = revision(Deployment.empty("broken-activator"), on("1.0.0", "*"));
        reconciler.desired(Map.of("broken-activator", broken));
        await().atMost(Duration.ofSeconds(30)).until(() -> reconciler.behind().stream()
                .anyMatch(b -> b.attempts() >= 3));
        assertThat(reconciler.behind().get(0).lastError()).startsWith("broken-activator-1.0.0 FAILED: ");

        reconciler.desired(Map.of("broken-activator", revision(broken)));
        await().atMost(Duration.ofSeconds(10)).until(() -> reconciler.behind().isEmpty());
        assertThat(table.all()).extracting(c -> c.state()).containsOnly(InstanceState.FAILED);
    }

    @Test
    void itNeverStopsAContainerItDidNotStart() throws Exception {
        Reconciler reconciler = reconciler();
        Release elsewhere = ReleaseReader.read(List.of(jar("greeter-2.0.0")));
        Container started = table.create(elsewhere.id());
        started.start(elsewhere, 100, table.limits(0));
        record("greeter-1.0.0");
        reconciler.desired(Map.of("greeter", revision(Deployment.empty("greeter"), on("1.0.0", "*"))));
        awaitState("greeter-1.0.0", InstanceState.ACTIVE);
        assertThat(table.get(ContainerId.of("greeter", "2.0.0")).orElseThrow().state())
                .isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void localReleasesRunWithoutADeploymentAndStayWhenTheDesiredStateChanges() throws Exception {
        Reconciler reconciler = reconciler(ReleaseReader.read(List.of(jar("greeter-2.0.0"))));
        reconciler.desired(Map.of()); // what the deployment watch says first, however empty
        awaitState("greeter-2.0.0", InstanceState.ACTIVE);

        record("greeter-1.0.0");
        Deployment first = revision(Deployment.empty("greeter"), on("1.0.0", "*"));
        reconciler.desired(Map.of("greeter", first));
        awaitState("greeter-1.0.0", InstanceState.ACTIVE);
        reconciler.desired(Map.of("greeter", revision(first)));
        awaitState("greeter-1.0.0", InstanceState.STOPPED);
        assertThat(table.get(ContainerId.of("greeter", "2.0.0")).orElseThrow().state())
                .as("the node's own release is never retired").isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void anIdleServiceKeepsNoThreadAndItsNextRevisionStillRuns() throws Exception {
        Reconciler reconciler = reconciler();
        Deployment first = greeter100Active(reconciler);
        String name = ServiceReconciler.THREAD_PREFIX + "n1-greeter";
        await().atMost(ServiceReconciler.IDLE.plusSeconds(10))
                .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(name)));

        reconciler.desired(Map.of("greeter", revision(first, on("1.1.0", "*"))));
        awaitState("greeter-1.1.0", InstanceState.ACTIVE);
        awaitState("greeter-1.0.0", InstanceState.STOPPED);
    }
}
