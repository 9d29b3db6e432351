package dev.vessel.host.internal.http;

import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Routes a request to the handler for its path; anything else is a JSON 404. */
final class ApiHandler extends Handler.Abstract {
    private final Request.Handler calls;
    private final Request.Handler health;
    private final AtomicReference<Request.Handler> admin;

    ApiHandler(ContainerLookup containers, long maxBodyBytes, AtomicReference<Request.Handler> admin) {
        this.calls = new CallHandler(containers, maxBodyBytes);
        this.health = new HealthHandler(containers);
        this.admin = admin;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.startsWith(CallHandler.PREFIX)) {
            return calls.handle(request, response, callback);
        }
        if (path.equals(HealthHandler.PATH)) {
            return health.handle(request, response, callback);
        }
        if (path.startsWith("/v1/admin/")) {
            Request.Handler current = admin.get();
            if (current == null) {
                JsonResponses.error(response, callback, 503, "STARTING", "the node is still starting");
                return true;
            }
            return current.handle(request, response, callback);
        }
        JsonResponses.error(response, callback, 404, "NOT_FOUND", "no such resource: " + path);
        return true;
    }
}
