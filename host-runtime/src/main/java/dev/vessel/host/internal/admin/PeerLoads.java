package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.http.BoundedBody;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.http.NodeLoad;
import dev.vessel.registry.NodeRecord;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Every node's {@link NodeLoad}, asked of all of them at once over {@code GET /v1/load}; this node's own is read
 * in place. A node that does not answer within {@link #TIMEOUT} is reported with why, and costs no more than that.
 */
final class PeerLoads {
    static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final String NO_ANSWER = "no answer within " + TIMEOUT.toMillis() + " ms";

    /** One node's load, or why it could not be read. */
    record Reading(NodeLoad load, String error) {}

    private final String self;
    private final Supplier<NodeLoad> own;
    private final SSLContext tls;
    /** Whether peers are reached over HTTPS: what this node is configured with, never what a record says. */
    private final boolean tlsCluster;
    /** Made when a dashboard first asks: a node nobody watches runs no client and no selector thread for it. */
    private HttpClient http;

    PeerLoads(String self, Supplier<NodeLoad> own, SSLContext tls) {
        this.self = self;
        this.own = own;
        this.tls = tls;
        this.tlsCluster = tls != null;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                    .version(HttpClient.Version.HTTP_1_1);
            if (tls != null) {
                builder.sslContext(tls);
            }
            http = builder.build();
        }
        return http;
    }

    Map<String, Reading> read(List<NodeRecord> nodes) {
        Map<String, CompletableFuture<Reading>> pending = new LinkedHashMap<>();
        for (NodeRecord node : nodes) {
            pending.put(node.id(), node.id().equals(self)
                    ? CompletableFuture.completedFuture(new Reading(own.get(), null))
                    : ask(node));
        }
        Map<String, Reading> readings = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
        pending.forEach((node, future) -> {
            try {
                readings.put(node, future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (Exception e) {
                future.cancel(true);
                readings.put(node, new Reading(null, NO_ANSWER));
            }
        });
        return readings;
    }

    /** A node's load names each of its containers once: far below this even with thousands of them. */
    static final long MAX_ANSWER_BYTES = 4L << 20;

    private CompletableFuture<Reading> ask(NodeRecord node) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(node.url(tlsCluster) + "/v1/load")).timeout(TIMEOUT).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Reading(null, "its address is not a URL: " + e.getMessage()));
        }
        return http().sendAsync(request, BoundedBody.of(MAX_ANSWER_BYTES, "its load")).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof HttpTimeoutException) {
                    return new Reading(null, NO_ANSWER); // connected or not: frozen, or far too busy
                }
                return new Reading(null, "unreachable: " + (cause instanceof ConnectException
                        ? "connection refused" : cause.getClass().getSimpleName()
                                + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
            }
            if (response.statusCode() != 200) {
                return new Reading(null, "answered HTTP " + response.statusCode());
            }
            try {
                return new Reading(JsonResponses.MAPPER.readValue(response.body(), NodeLoad.class), null);
            } catch (Exception e) {
                return new Reading(null, "answered something that is not its load: " + e.getMessage());
            }
        });
    }
}
