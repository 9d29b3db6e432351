package dev.vessel.cli;

import dev.vessel.registry.ClusterOverview;
import dev.vessel.registry.internal.RecordJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * Read verbs ({@code status}, {@code history}, {@code releases}, and the routing records of {@code call})
 * answered by a node of the cluster `vessel up` recorded, through its admin API with the recorded
 * token, instead of a ZooKeeper session of the CLI's own. Empty when there is no recorded cluster, --zk names one,
 * {@code VESSEL_READ_VIA_ZOOKEEPER} is set, or no recorded node answers: the verb then reads ZooKeeper itself.
 */
final class NodeReads {
    private static final int TIMEOUT_MILLIS = 2_000;

    private NodeReads() {}

    /** The instances {@code GET /v1/admin/instances/{service}} answers with. */
    record Instances(java.util.List<dev.vessel.registry.InstanceRecord> instances) {}

    /** The registered instances of {@code service}, what {@code vessel call} routes with. */
    static Optional<java.util.List<dev.vessel.registry.InstanceRecord>> instances(ClusterOptions cluster,
            String service) {
        return read(cluster, "/v1/admin/instances/" + encode(service), Instances.class).map(Instances::instances);
    }

    /** The manifests {@code GET /v1/admin/releases} answers with. */
    record Releases(java.util.List<dev.vessel.registry.ReleaseManifest> releases) {}

    static Optional<ClusterOverview> status(ClusterOptions cluster) {
        return read(cluster, "/v1/admin/cluster/status", ClusterOverview.class);
    }

    static Optional<dev.vessel.registry.Deployment> deployment(ClusterOptions cluster, String service) {
        return read(cluster, "/v1/admin/deployments/" + encode(service), dev.vessel.registry.Deployment.class);
    }

    /** Every release of {@code service}, or of every service when it is null. */
    static Optional<java.util.List<dev.vessel.registry.ReleaseManifest>> releases(ClusterOptions cluster,
            String service) {
        return read(cluster, "/v1/admin/releases" + (service == null ? "" : "/" + encode(service)), Releases.class)
                .map(Releases::releases);
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static <T> Optional<T> read(ClusterOptions cluster, String path, Class<T> type) {
        if (cluster.zkGiven() || System.getenv("VESSEL_READ_VIA_ZOOKEEPER") != null) {
            return Optional.empty();
        }
        Optional<VesselHome.ClusterInfo> recorded = VesselHome.resolve().cluster();
        if (recorded.isEmpty() || recorded.get().token() == null || recorded.get().nodes() == null) {
            return Optional.empty();
        }
        Optional<SSLContext> tls = cluster.tls();
        for (VesselHome.NodeAddress node : recorded.get().nodes()) {
            try {
                // HttpURLConnection, not the JDK's HttpClient: for one request from a fresh JVM it starts in a
                // fraction of the time (no selector thread, far fewer classes), which is the point of this path
                HttpURLConnection connection = (HttpURLConnection) URI.create(node.url() + path).toURL()
                        .openConnection();
                if (connection instanceof HttpsURLConnection https && tls.isPresent()) {
                    https.setSSLSocketFactory(tls.get().getSocketFactory());
                }
                connection.setConnectTimeout(TIMEOUT_MILLIS);
                connection.setReadTimeout(TIMEOUT_MILLIS);
                connection.setRequestProperty("Authorization", "Bearer " + recorded.get().token());
                try {
                    if (connection.getResponseCode() == 200) {
                        try (InputStream body = connection.getInputStream()) {
                            return Optional.of(RecordJson.read(body.readAllBytes(), type));
                        }
                    }
                } finally {
                    connection.disconnect();
                }
            } catch (IOException unreachable) {
                // the next node, or ZooKeeper
            }
        }
        return Optional.empty();
    }
}
