package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.registry.Text;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes a request to the handler for its path; anything else is a JSON 404.
 *
 * <p>Jetty's request threads only route: calls run on their container's bulkhead, admin requests (uploads,
 * release validation, deployments) and artifact reads (paced, a few streams at a time) each on a bulkhead of
 * their own, so no kind of work can take the threads another needs. Health answers on the request thread: it
 * reads a few fields and never blocks.
 */
final class ApiHandler extends Handler.Abstract {
    private static final String ARTIFACTS = "/v1/admin/artifacts/";

    private final Request.Handler calls;
    private final Request.Handler health;
    private final GatedHandler admin;
    private final Bulkhead adminWork;
    private final Bulkhead artifactReads;

    private final Request.Handler metrics;
    private final Request.Handler load;
    private final Request.Handler dashboard;

    ApiHandler(ContainerTable containers, BooleanSupplier ready, LongSupplier artifactBytesServed, long maxBodyBytes,
            Duration bodyTimeout, GatedHandler admin, Bulkhead adminWork, Bulkhead artifactReads,
            NodeMetrics nodeMetrics, HostNames hostNames) {
        this.calls = new CallHandler(containers, maxBodyBytes, bodyTimeout, nodeMetrics, hostNames);
        this.metrics = new MetricsHandler(nodeMetrics);
        this.health = new HealthHandler(containers, ready, artifactBytesServed);
        this.load = new LoadHandler(containers);
        this.dashboard = new DashboardAssets();
        this.admin = admin;
        this.adminWork = adminWork;
        this.artifactReads = artifactReads;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if ((HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod()))
                && JsonResponses.declaredLength(request) != 0) {
            // answered without reading it, the body would be left on the connection, which Jetty then closes
            // under the client's next request
            JsonResponses.error(response, callback, ErrorCode.BAD_REQUEST, request.getMethod() + " requests have no body");
            return true;
        }
        if (path.startsWith(CallHandler.PREFIX)) {
            return calls.handle(request, response, callback);
        }
        if (path.equals(HealthHandler.PATH)) {
            return health.handle(request, response, callback);
        }
        if (path.equals(MetricsHandler.PATH)) {
            return metrics.handle(request, response, callback);
        }
        if (path.equals(LoadHandler.PATH)) {
            return load.handle(request, response, callback);
        }
        if (path.equals(DashboardAssets.ROOT) || path.startsWith(DashboardAssets.ROOT + "/")) {
            return dashboard.handle(request, response, callback);
        }
        if (path.startsWith("/v1/admin/")) {
            if (!admin.admits(request, response, callback)) {
                return true; // refused on this thread: a stranger never waits beside those allowed in
            }
            Request.Handler current = admin;
            boolean read = path.startsWith(ARTIFACTS)
                    && (HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod()));
            Bulkhead pool = read ? artifactReads : adminWork;
            if (!pool.trySubmit(() -> handleOff(current, request, response, callback))) {
                CallHandler.retryElsewhereIf(ErrorCode.BUSY, response);
                JsonResponses.error(response, callback, ErrorCode.BUSY, "this node is handling as many "
                        + (read ? "artifact reads" : "admin requests") + " as it may; try again shortly");
            }
            return true;
        }
        JsonResponses.error(response, callback, ErrorCode.NOT_FOUND, "no such resource: " + Text.quote(path));
        return true;
    }

    /** Runs a handler off the request thread; whatever it throws becomes the one JSON error answer. */
    private static void handleOff(Request.Handler handler, Request request, Response response, Callback callback) {
        try {
            if (!handler.handle(request, response, callback)) {
                JsonResponses.error(response, callback, ErrorCode.NOT_FOUND, "no such resource: "
                        + Text.quote(Request.getPathInContext(request)));
            }
        } catch (Exception | Error e) {
            ErrorMapper.answer(request, response, callback, e);
        }
    }
}
