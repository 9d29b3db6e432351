package dev.vessel.host.internal.rollout;

import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.http.BoundedBody;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.metrics.CallWindow;
import dev.vessel.protocol.admin.CallCounts;
import dev.vessel.registry.NodeRecord;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The calls of a service's versions over a window, as each node counted them: this node's read in place, every
 * other node's asked at once over {@code GET /v1/admin/calls} with the cluster's admin token. A node that does not
 * answer within {@link #TIMEOUT} is reported with why and costs no more than that.
 */
public final class NodeCalls {
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    /** One node's counts, or why they could not be read. */
    record Reading(CallCounts counts, String error) {}

    private final String self;
    private final ContainerTable containers;
    private final String token;
    private final SSLContext tls;
    private final HttpClient http;

    public NodeCalls(String self, ContainerTable containers, String token, SSLContext tls) {
        this.self = self;
        this.containers = containers;
        this.token = token;
        this.tls = tls;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /** What this node's containers of {@code service} counted over the last {@code window}. */
    public static CallCounts of(String node, ContainerTable containers, String service, Duration window) {
        int seconds = (int) Math.min(CallWindow.MAX_SECONDS, Math.max(1, (window.toMillis() + 999) / 1000));
        List<CallCounts.VersionCalls> versions = new ArrayList<>();
        for (Container container : containers.of(service)) {
            CallWindow.Totals totals = container.calls().last(seconds);
            versions.add(new CallCounts.VersionCalls(service, container.id().version().toString(), totals.calls(),
                    totals.failures(), totals.latency()));
        }
        return new CallCounts(node, seconds * 1000L, versions);
    }

    Map<String, Reading> read(List<NodeRecord> nodes, String service, Duration window) {
        Map<String, CompletableFuture<Reading>> pending = new LinkedHashMap<>();
        for (NodeRecord node : nodes) {
            pending.put(node.id(), node.id().equals(self)
                    ? CompletableFuture.completedFuture(new Reading(of(self, containers, service, window), null))
                    : ask(node, service, window));
        }
        Map<String, Reading> readings = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
        pending.forEach((node, future) -> {
            try {
                readings.put(node, future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (Exception e) {
                future.cancel(true);
                readings.put(node, new Reading(null, "no answer within " + TIMEOUT.toMillis() + " ms"));
            }
        });
        return readings;
    }

    /** Call counts per version of one service: a few hundred bytes. */
    static final long MAX_ANSWER_BYTES = 1L << 20;

    private CompletableFuture<Reading> ask(NodeRecord node, String service, Duration window) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(node.url(tls != null) + "/v1/admin/calls?service="
                    + URLEncoder.encode(service, StandardCharsets.UTF_8) + "&windowMs=" + window.toMillis()))
                    .header("Authorization", "Bearer " + token).timeout(TIMEOUT).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Reading(null, "its address is not a URL"));
        }
        return http.sendAsync(request, BoundedBody.of(MAX_ANSWER_BYTES, "its call counts"))
                .handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                return new Reading(null, "unreachable: " + cause.getClass().getSimpleName());
            }
            if (response.statusCode() != 200) {
                return new Reading(null, "answered HTTP " + response.statusCode());
            }
            try {
                return new Reading(JsonResponses.MAPPER.readValue(response.body(), CallCounts.class), null);
            } catch (Exception e) {
                return new Reading(null, "answered something that is not its counts");
            }
        });
    }
}
