package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.host.internal.metrics.NodeMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: the node's metrics in the Prometheus text format, for anyone, like health (they name the
 * services and versions the node runs and count calls, nothing more).
 */
final class MetricsHandler implements Request.Handler {
    static final String PATH = "/metrics";

    private final NodeMetrics metrics;

    MetricsHandler(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            JsonResponses.error(response, callback, ErrorCode.METHOD_NOT_ALLOWED, "metrics are read with GET");
            return true;
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream(16 * 1024);
        try {
            metrics.write(text);
        } catch (IOException | RuntimeException e) {
            JsonResponses.error(response, callback, ErrorCode.METRICS_FAILED, "the metrics could not be written: " + e);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, text.size());
        response.write(true, ByteBuffer.wrap(text.toByteArray()), callback); // Jetty sends no body for HEAD
        return true;
    }
}
