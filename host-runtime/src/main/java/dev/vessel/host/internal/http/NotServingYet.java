package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.VesselHeaders;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What a node answers from the moment its port is bound until it serves its API (it may wait long for its
 * registry): {@code /v1/health} says {@code 503 STARTING}, everything else {@code 503 UNAVAILABLE} with
 * {@code Vessel-Retry: other}, so a router that still routes to this address (a restarted node's old record) moves
 * the call to another instance at once instead of waiting on a socket nobody accepts from.
 */
final class NotServingYet extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (Request.getPathInContext(request).equals(HealthHandler.PATH)) {
            JsonResponses.json(response, callback, 503, Map.of("status", "STARTING"));
            return true;
        }
        response.getHeaders().put(VesselHeaders.RETRY, VesselHeaders.RETRY_OTHER);
        JsonResponses.error(response, callback, ErrorCode.UNAVAILABLE, "this node is starting and serves nothing yet"
                + " (it may be waiting for its registry); nothing was run");
        return true;
    }
}
