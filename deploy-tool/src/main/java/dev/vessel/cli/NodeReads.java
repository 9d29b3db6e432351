package dev.vessel.cli;

import dev.vessel.registry.ClusterOverview;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.AdminJson;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.ReleaseManifest;
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
 * {@code VESSEL_READ_VIA_ZOOKEEPER} is set, or no recorded node answers: the verb then reads ZooKeeper itself. When
 * no node could read it and one said why, {@code 503 REGISTRY_UNAVAILABLE}, that answer is the verb's.
 */
final class NodeReads {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private NodeReads() {}

    /** The registered instances of {@code service}, what {@code vessel call} routes with. */
    @SuppressWarnings("unchecked") // the envelope read with the record it carries
    static Optional<java.util.List<InstanceRecord>> instances(ClusterOptions cluster,
            String service) {
        return read(cluster, "instances/" + encode(service), AdminAnswers.Instances.class, InstanceRecord.class)
                .map(answer -> ((AdminAnswers.Instances<InstanceRecord>) answer).instances());
    }

    static Optional<ClusterOverview> status(ClusterOptions cluster) {
        return read(cluster, "cluster/status", ClusterOverview.class);
    }

    static Optional<dev.vessel.registry.Deployment> deployment(ClusterOptions cluster, String service) {
        return read(cluster, "deployments/" + encode(service), dev.vessel.registry.Deployment.class);
    }

    /** Every release of {@code service}, or of every service when it is null. */
    @SuppressWarnings("unchecked") // the envelope read with the record it carries
    static Optional<java.util.List<ReleaseManifest>> releases(ClusterOptions cluster,
            String service) {
        return read(cluster, "releases" + (service == null ? "" : "/" + encode(service)),
                AdminAnswers.Releases.class, ReleaseManifest.class)
                .map(answer -> ((AdminAnswers.Releases<ReleaseManifest>) answer).releases());
    }

    /** The service's release signatures with the trust policy to read them against. */
    @SuppressWarnings("unchecked")
    static Optional<AdminAnswers.Signatures<dev.vessel.registry.ReleaseSignature, dev.vessel.registry.TrustPolicy>>
            signatures(ClusterOptions cluster, String service) {
        return read(cluster, "signatures/" + encode(service), AdminAnswers.Signatures.class,
                dev.vessel.registry.ReleaseSignature.class, dev.vessel.registry.TrustPolicy.class)
                .map(answer -> (AdminAnswers.Signatures<dev.vessel.registry.ReleaseSignature,
                        dev.vessel.registry.TrustPolicy>) answer);
    }

    /** The service's current configuration, secret values masked. */
    static Optional<ConfigurationRevision> configuration(ClusterOptions cluster, String service) {
        return read(cluster, "configurations/" + encode(service), ConfigurationRevision.class);
    }

    /** Every revision of the service's configuration, oldest first, secret values masked. */
    @SuppressWarnings("unchecked") // the envelope read with the record it carries
    static Optional<java.util.List<ConfigurationRevision>> configurationHistory(
            ClusterOptions cluster, String service) {
        return read(cluster, "configurations/" + encode(service) + "/history",
                AdminAnswers.ConfigurationHistory.class, ConfigurationRevision.class)
                .map(answer -> ((AdminAnswers.ConfigurationHistory<ConfigurationRevision>) answer).history());
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

    /**
     * {@code GET /v1/admin/{path}} of the first recorded node that answers it, as {@code type} carrying the
     * records {@code carried} (see {@link AdminJson#readAnswer}).
     */
    private static <T> Optional<T> read(ClusterOptions cluster, String path, Class<T> type, Class<?>... carried) {
        Optional<VesselHome.ClusterInfo> recorded = recorded(cluster).filter(c -> c.token() != null);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        SSLContext tls = cluster.tls().orElse(null);
        AdminException registryUnavailable = null;
        for (VesselHome.NodeAddress node : recorded.get().nodes()) {
            try {
                return Optional.of(AdminJson.readAnswer(new AdminClient(URI.create(node.url()),
                        recorded.get().token(), tls, TIMEOUT).read(path), type, carried));
            } catch (AdminException refused) {
                if (ErrorCode.REGISTRY_UNAVAILABLE.name().equals(refused.code())) {
                    registryUnavailable = refused;
                }
            } catch (IOException | UncheckedIOException unreachable) {
                // the next node, or ZooKeeper
            }
        }
        if (registryUnavailable != null) {
            // the nodes are up and cannot reach ZooKeeper: a session of the CLI's own would only wait to fail too
            throw registryUnavailable;
        }
        return Optional.empty();
    }
}
