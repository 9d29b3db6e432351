package dev.vessel.cli;

import dev.vessel.deploy.AdminClient;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * The node a changing verb ({@code deploy}, {@code promote}, {@code retire}, {@code rollback}) of a cluster
 * `vessel up` recorded follows its rollout through, instead of a ZooKeeper session of its own: the same rule as
 * {@link NodeReads} (no {@code --zk}, no {@code VESSEL_READ_VIA_ZOOKEEPER}), and the node must answer now.
 */
final class RecordedNode {
    private static final int PROBE_TIMEOUT_MILLIS = 2_000;

    private RecordedNode() {}

    static Optional<AdminClient> client(ClusterOptions cluster, AdminOptions admin) {
        if (cluster.zkGiven() || System.getenv("VESSEL_READ_VIA_ZOOKEEPER") != null) {
            return Optional.empty();
        }
        Optional<VesselHome.ClusterInfo> recorded = VesselHome.resolve().cluster();
        if (recorded.isEmpty() || recorded.get().nodes() == null || recorded.get().nodes().isEmpty()) {
            return Optional.empty();
        }
        URI node = admin.server != null ? admin.server : URI.create(recorded.get().nodes().get(0).url());
        String token;
        try {
            token = admin.token();
        } catch (CliException noToken) {
            return Optional.empty(); // the ZooKeeper path says so, or needs none (rollout status)
        }
        Optional<SSLContext> tls = cluster.tls();
        return answers(node, tls) ? Optional.of(new AdminClient(node, token, tls.orElse(null))) : Optional.empty();
    }

    /** Whether the node answers its health check at all (any status: starting counts). */
    private static boolean answers(URI node, Optional<SSLContext> tls) {
        try {
            HttpURLConnection connection = (HttpURLConnection) node.resolve("/v1/health").toURL().openConnection();
            if (connection instanceof HttpsURLConnection https && tls.isPresent()) {
                https.setSSLSocketFactory(tls.get().getSocketFactory());
            }
            connection.setConnectTimeout(PROBE_TIMEOUT_MILLIS);
            connection.setReadTimeout(PROBE_TIMEOUT_MILLIS);
            try {
                connection.getResponseCode();
                connection.getInputStream().close();
            } catch (IOException notOk) {
                // a 503 STARTING: it answered
                if (connection.getErrorStream() != null) {
                    connection.getErrorStream().close();
                }
            }
            return connection.getResponseCode() > 0;
        } catch (IOException unreachable) {
            return false;
        }
    }
}
