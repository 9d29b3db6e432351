package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.VesselHeaders;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What a node answers while it does not serve its API: from the moment its port is bound until its parts are
 * built (it may wait long for its registry), and while it stops. {@code /v1/health} says {@code 503 STARTING} (or
 * {@code STOPPING}), everything else {@code 503 UNAVAILABLE} with {@code Vessel-Retry: other}, so a router that
 * still routes to this address moves the call elsewhere at once, even a call that is not idempotent, instead of
 * waiting on a socket nobody accepts from or losing it to a connection closed under it. While stopping, every
 * answer also closes its connection, so routers stop reusing it before the node goes.
 */
final class NotServing extends Handler.Abstract {
    private final boolean stopping;
    private volatile long lastRequestNanos = System.nanoTime();

    private NotServing(boolean stopping) {
        this.stopping = stopping;
    }

    static NotServing starting() {
        return new NotServing(false);
    }

    static NotServing stopping() {
        return new NotServing(true);
    }

    /** When the last request was answered (or this was made). */
    long lastRequestNanos() {
        return lastRequestNanos;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        lastRequestNanos = System.nanoTime();
        if (stopping) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        if (Request.getPathInContext(request).equals(HealthHandler.PATH)) {
            JsonResponses.json(response, callback, 503, Map.of("status", stopping ? "STOPPING" : "STARTING"));
            return true;
        }
        response.getHeaders().put(VesselHeaders.RETRY, VesselHeaders.RETRY_OTHER);
        JsonResponses.error(response, callback, ErrorCode.UNAVAILABLE, stopping
                ? "this node is stopping and serves nothing any more; nothing was run"
                : "this node is starting and serves nothing yet (it may be waiting for its registry); nothing was run");
        return true;
    }
}
