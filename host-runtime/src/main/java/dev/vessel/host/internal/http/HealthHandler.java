package dev.vessel.host.internal.http;

import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.container.ContainerTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /v1/health}: {@code 200 UP} once the node is ready, {@code 503 STARTING} before, and the state of
 * each of its containers (never why one failed).
 */
final class HealthHandler implements Request.Handler {
    static final String PATH = "/v1/health";

    private final ContainerTable containers;
    private final BooleanSupplier ready;
    private final LongSupplier artifactBytesServed;

    HealthHandler(ContainerTable containers, BooleanSupplier ready, LongSupplier artifactBytesServed) {
        this.containers = containers;
        this.ready = ready;
        this.artifactBytesServed = artifactBytesServed;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Container container : containers.all()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", container.id().toString());
            entry.put("service", container.id().service());
            entry.put("version", container.id().version().toString());
            entry.put("state", container.state().name());
            // no error text: health answers anyone, and a failure's text can name store paths and classes;
            // vessel status (with registry access) shows why a container failed
            list.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        boolean ready = this.ready.getAsBoolean();
        body.put("status", ready ? "UP" : "STARTING");
        body.put("node", containers.nodeId());
        body.put("containers", list);
        body.put("artifactBytesServed", artifactBytesServed.getAsLong());
        JsonResponses.json(response, callback, ready ? 200 : 503, body);
        return true;
    }
}
