package dev.vessel.cli;

import dev.vessel.deploy.AdminClient;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The node a changing verb ({@code deploy}, {@code promote}, {@code retire}, {@code rollback}) of a cluster
 * `vessel up` recorded follows its rollout through, instead of a ZooKeeper session of its own: the same rule as
 * {@link NodeReads} (no {@code --zk}, no {@code VESSEL_READ_VIA_ZOOKEEPER}), and the node must answer now.
 */
final class RecordedNode {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private RecordedNode() {}

    static Optional<AdminClient> client(ClusterOptions cluster, AdminOptions admin) {
        Optional<VesselHome.ClusterInfo> recorded = NodeReads.recorded(cluster);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        URI node = admin.server != null ? admin.server : URI.create(recorded.get().nodes().get(0).url());
        String token;
        try {
            token = admin.token();
        } catch (CliException noToken) {
            return Optional.empty(); // the ZooKeeper path says so, or needs none (rollout status)
        }
        SSLContext tls = cluster.tls().orElse(null);
        return new AdminClient(node, token, tls, PROBE_TIMEOUT).answers()
                ? Optional.of(new AdminClient(node, token, tls)) : Optional.empty();
    }
}
