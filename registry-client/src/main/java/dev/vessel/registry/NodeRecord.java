package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A running node, stored ephemerally at {@code {root}/nodes/{id}}.
 *
 * @param id      node id
 * @param address host or IP of its HTTP server (data plane and admin API)
 * @param port    port of its HTTP server
 * @param zone    failure zone
 * @param labels  free-form labels for node selectors
 * @param started start time, epoch milliseconds
 * @param load    calls in flight on the node when the record was last written
 * @param tls     whether it serves HTTPS; what the record says is only shown, never believed: clients reach
 *                nodes over HTTPS exactly when they are configured to trust the cluster, so a forged record
 *                cannot downgrade them to plain HTTP
 */
public record NodeRecord(String id, String address, int port, String zone, Map<String, String> labels, long started,
        long load, boolean tls) {
    public NodeRecord {
        RegistryLayout.requireName(id, "node id");
        requireNonNull(address, "address cannot be null");
        requireNonNull(zone, "zone cannot be null");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A node serving plain HTTP. */
    public NodeRecord(String id, String address, int port, String zone, Map<String, String> labels, long started,
            long load) {
        this(id, address, port, zone, labels, started, load, false);
    }

    /** Its URL as the record states it, for showing. */
    public String url() {
        return url(tls);
    }

    /** {@code https://address:port} in a cluster that serves HTTPS, else {@code http://address:port}. */
    public String url(boolean tls) {
        return (tls ? "https://" : "http://") + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
}
