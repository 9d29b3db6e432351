package dev.vessel.cli;

import dev.vessel.registry.ClusterOverview;
import dev.vessel.registry.internal.RecordJson;
import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.AdminException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Read verbs ({@code status}, {@code history}, {@code releases}, the {@code config} reads, and the routing
 * records of {@code call})
 * answered by a node of the cluster `vessel up` recorded, through its admin API with the recorded
 * token, instead of a ZooKeeper session of the CLI's own. Empty when there is no recorded cluster, --zk names one,
 * {@code VESSEL_READ_VIA_ZOOKEEPER} is set, or no recorded node answers: the verb then reads ZooKeeper itself.
 */
final class NodeReads {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private NodeReads() {}

    /** The instances {@code GET /v1/admin/instances/{service}} answers with. */
    record Instances(java.util.List<dev.vessel.registry.InstanceRecord> instances) {}

    /** The registered instances of {@code service}, what {@code vessel call} routes with. */
    static Optional<java.util.List<dev.vessel.registry.InstanceRecord>> instances(ClusterOptions cluster,
            String service) {
        return read(cluster, "instances/" + encode(service), Instances.class).map(Instances::instances);
    }

    /** The manifests {@code GET /v1/admin/releases} answers with. */
    record Releases(java.util.List<dev.vessel.registry.ReleaseManifest> releases) {}

    static Optional<ClusterOverview> status(ClusterOptions cluster) {
        return read(cluster, "cluster/status", ClusterOverview.class);
    }

    static Optional<dev.vessel.registry.Deployment> deployment(ClusterOptions cluster, String service) {
        return read(cluster, "deployments/" + encode(service), dev.vessel.registry.Deployment.class);
    }

    /** Every release of {@code service}, or of every service when it is null. */
    static Optional<java.util.List<dev.vessel.registry.ReleaseManifest>> releases(ClusterOptions cluster,
            String service) {
        return read(cluster, "releases" + (service == null ? "" : "/" + encode(service)), Releases.class)
                .map(Releases::releases);
    }

    /** The revisions {@code GET /v1/admin/configurations/{service}/history} answers with. */
    record ConfigurationHistory(java.util.List<dev.vessel.registry.ConfigurationRevision> history) {}

    /** The service's current configuration, secret values masked. */
    static Optional<dev.vessel.registry.ConfigurationRevision> configuration(ClusterOptions cluster, String service) {
        return read(cluster, "configurations/" + encode(service), dev.vessel.registry.ConfigurationRevision.class);
    }

    /** Every revision of the service's configuration, oldest first, secret values masked. */
    static Optional<java.util.List<dev.vessel.registry.ConfigurationRevision>> configurationHistory(
            ClusterOptions cluster, String service) {
        return read(cluster, "configurations/" + encode(service) + "/history", ConfigurationHistory.class)
                .map(ConfigurationHistory::history);
    }

    /** Node records, node statuses and instances as the registry stores them. */
    static Optional<dev.vessel.registry.ClusterReader.Snapshot> records(ClusterOptions cluster) {
        return read(cluster, "cluster/records", dev.vessel.registry.ClusterReader.Snapshot.class);
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The cluster `vessel up` recorded, when a verb should talk to its nodes instead of ZooKeeper: no {@code --zk}
     * names another one, {@code VESSEL_READ_VIA_ZOOKEEPER} is not set, and it has nodes.
     */
    static Optional<VesselHome.ClusterInfo> recorded(ClusterOptions cluster) {
        if (cluster.zkGiven() || System.getenv("VESSEL_READ_VIA_ZOOKEEPER") != null) {
            return Optional.empty();
        }
        return VesselHome.resolve().cluster().filter(c -> c.nodes() != null && !c.nodes().isEmpty());
    }

    /** {@code GET /v1/admin/{path}} of the first recorded node that answers it, as {@code type}. */
    private static <T> Optional<T> read(ClusterOptions cluster, String path, Class<T> type) {
        Optional<VesselHome.ClusterInfo> recorded = recorded(cluster).filter(c -> c.token() != null);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        SSLContext tls = cluster.tls().orElse(null);
        for (VesselHome.NodeAddress node : recorded.get().nodes()) {
            try {
                return Optional.of(RecordJson.read(new AdminClient(URI.create(node.url()), recorded.get().token(), tls,
                        TIMEOUT).read(path), type));
            } catch (IOException | UncheckedIOException | AdminException unreachableOrRefused) {
                // the next node, or ZooKeeper
            }
        }
        return Optional.empty();
    }
}
