package dev.vessel.host.testing;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.Release;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.BundleRef;
import dev.vessel.registry.ChunkList;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.Sha256;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import org.awaitility.Awaitility;
import org.osgi.framework.Version;

/**
 * Starts and stops releases on nodes the one way a node does it: by writing the desired state a node's reconciler
 * acts on. What {@code vessel deploy} does, minus the release validation, so that a test can also hand a node a
 * broken release: the bundles are uploaded to the node (admin API), the release is recorded as it is, and the
 * version is added to the service's deployment for that node only. Each call waits until the node's container is
 * ACTIVE or FAILED (or STOPPED); a release that FAILED is then taken out of the desired state again, so it stays
 * FAILED instead of being retried, as a test expects.
 */
public final class DesiredState implements Closeable {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int CHUNK_SIZE = 4 << 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String adminToken;
    /** The session this object opened itself (closed with it), or null when the caller's is used. */
    private final RegistryConnection owned;
    private final ReleaseStore releases;
    private final DeploymentStore deployments;
    private final ClusterReader cluster;

    /**
     * @param registry   a session on the nodes' registry (the test's own)
     * @param adminToken the admin token the nodes were started with: bundles are uploaded through their admin API
     */
    public DesiredState(RegistryConnection registry, String adminToken) {
        this(registry, adminToken, false);
    }

    private DesiredState(RegistryConnection registry, String adminToken, boolean owned) {
        requireNonNull(registry, "registry cannot be null");
        this.owned = owned ? registry : null;
        this.adminToken = requireNonNull(adminToken, "adminToken cannot be null: start the nodes with one");
        this.releases = new ReleaseStore(registry);
        this.deployments = new DeploymentStore(registry);
        this.cluster = new ClusterReader(registry);
    }

    /** On a session of its own to the registry at {@code zkConnect} (default root), closed with this object. */
    public static DesiredState open(String zkConnect, String adminToken) {
        return new DesiredState(RegistryConnection.connect(zkConnect), adminToken, true);
    }

    public ContainerInfo deploy(VesselNode node, Release release) {
        return deploy(node, release, 100);
    }

    /**
     * Makes {@code node} run {@code release} with {@code weight} and waits until its container is ACTIVE and
     * registered, or FAILED.
     */
    public ContainerInfo deploy(VesselNode node, Release release, int weight) {
        return deploy(node, release, weight, 0, 0);
    }

    /** Like {@link #deploy(VesselNode, Release, int)}, with a CPU share and limit in cores (0: not given). */
    public ContainerInfo deploy(VesselNode node, Release release, int weight, double cpu, double cpuLimit) {
        long since = System.currentTimeMillis();
        List<BundleRef> bundles = new ArrayList<>();
        for (Path jar : release.bundles()) {
            bundles.add(upload(node, jar));
        }
        releases.create(new ReleaseManifest(release.service(), release.version().toString(), release.primary(),
                bundles, List.copyOf(release.endpoints()), "", false, "test", System.currentTimeMillis()));
        String version = release.version().toString();
        change(release.service(), versions -> {
            Optional<DeployedVersion> current = find(versions, version);
            versions.removeIf(v -> v.version().equals(version));
            versions.add(new DeployedVersion(version, weight, current.map(v -> with(v.nodes(), node.nodeId()))
                    .orElse(node.nodeId()), current.map(DeployedVersion::maxConcurrency).orElse(0), cpu, cpuLimit));
        });
        ContainerInfo settled = await(node, release.id().toString(), since,
                Set.of(InstanceState.ACTIVE, InstanceState.FAILED));
        if (settled.state() == InstanceState.FAILED) {
            leave(node, release.service(), version); // no retries: it stays FAILED, as the test saw it
        } else {
            // a container is ACTIVE a moment before its instance record is written: wait for the record too, this
            // node's (a killed predecessor's record of the same id names another port until it is replaced)
            String instance = node.nodeId() + "." + settled.id();
            Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> cluster
                    .instances(release.service()).stream()
                    .anyMatch(i -> i.id().equals(instance) && i.port() == node.port()));
        }
        return settled;
    }

    /**
     * Takes {@code version} of {@code service} off {@code node}'s desired state and waits until its container has
     * left the registry, drained and stopped.
     */
    public ContainerInfo stop(VesselNode node, String service, String version) {
        long since = System.currentTimeMillis();
        String normalized = Version.parseVersion(version).toString();
        leave(node, service, normalized);
        return await(node, service + "-" + normalized, since, Set.of(InstanceState.STOPPED, InstanceState.FAILED));
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }

    private void leave(VesselNode node, String service, String version) {
        change(service, versions -> {
            Optional<DeployedVersion> current = find(versions, version);
            versions.removeIf(v -> v.version().equals(version));
            current.map(v -> without(v.nodes(), node.nodeId())).filter(nodes -> !nodes.isEmpty()).ifPresent(nodes ->
                    versions.add(new DeployedVersion(version, current.get().weight(), nodes,
                            current.get().maxConcurrency(), current.get().cpu(), current.get().cpuLimit())));
        });
    }

    private interface VersionsChange {
        void apply(List<DeployedVersion> versions);
    }

    private void change(String service, VersionsChange change) {
        deployments.update(service, -1, deployment -> {
            List<DeployedVersion> versions = new ArrayList<>(deployment.versions());
            change.apply(versions);
            return deployment.next(versions, "test", "test");
        });
    }

    private static Optional<DeployedVersion> find(List<DeployedVersion> versions, String version) {
        return versions.stream().filter(v -> v.version().equals(version)).findFirst();
    }

    private static String with(String selector, String nodeId) {
        if (selector.equals(DeployedVersion.ALL_NODES)) {
            return selector;
        }
        Set<String> ids = new LinkedHashSet<>(List.of(selector.split(",")));
        ids.add(nodeId);
        return String.join(",", ids);
    }

    private static String without(String selector, String nodeId) {
        Set<String> ids = new LinkedHashSet<>(List.of(selector.split(",")));
        ids.remove(nodeId);
        return String.join(",", ids);
    }

    /**
     * The container {@code id} once it is in one of {@code states}: ACTIVE whenever it came to be (deploying what
     * runs changes nothing), any other state only if reached after {@code since} (an ended container's record stays
     * until a new one takes its id).
     */
    private static ContainerInfo await(VesselNode node, String id, long since, Set<InstanceState> states) {
        return Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                .until(() -> node.containers().stream().filter(c -> c.id().equals(id) && states.contains(c.state())
                        && (c.state() == InstanceState.ACTIVE || c.since() >= since)).findFirst().orElse(null),
                        Objects::nonNull);
    }

    /** Uploads {@code jar} to {@code node}'s artifact store; the reference a release record gives it. */
    private BundleRef upload(VesselNode node, Path jar) {
        try {
            byte[] bytes = Files.readAllBytes(jar);
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(
                            node.url().resolve("/v1/admin/artifacts/" + Sha256.of(bytes)))
                    .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(30))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw new IllegalStateException("node " + node.nodeId() + " refused " + jar.getFileName() + ": "
                        + answer.statusCode() + " " + answer.body());
            }
            return bundleRef(jar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while uploading " + jar, e);
        }
    }

    /** How a release record names {@code jar}: its bundle identity, digest, size, file name and chunks. */
    public static BundleRef bundleRef(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            var main = file.getManifest().getMainAttributes();
            return new BundleRef(main.getValue("Bundle-SymbolicName").split(";", 2)[0].trim(),
                    Version.parseVersion(main.getValue("Bundle-Version").trim()).toString(), Sha256.of(jar),
                    Files.size(jar), jar.getFileName().toString(), ChunkList.compute(jar, CHUNK_SIZE));
        }
    }
}
