package dev.vessel.host.internal.http;

import dev.vessel.host.internal.container.ContainerTable;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /v1/load}: the node's {@link NodeLoad}, without a token, like health and {@code /metrics}. */
final class LoadHandler implements Request.Handler {
    static final String PATH = "/v1/load";

    private final ContainerTable containers;

    LoadHandler(ContainerTable containers) {
        this.containers = containers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        JsonResponses.json(response, callback, 200, NodeLoad.of(containers));
        return true;
    }
}
