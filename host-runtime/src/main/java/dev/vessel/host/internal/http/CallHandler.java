package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.VesselHeaders;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.internal.container.CallFailure;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.registry.Text;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.osgi.framework.Version;

/**
 * {@code POST /v1/call/{service}/{version}/{endpoint}/{method}} with a JSON array of arguments: finds the
 * container, admits the call (or refuses it with {@code 503 Vessel-Retry: other} when the container is not
 * taking calls — the call was not executed), and writes the result or the error.
 */
final class CallHandler implements Request.Handler {
    static final String PREFIX = "/v1/call/";

    /** Bytes of unfinished call bodies held at once, in bodies of the largest size a call may have. */
    static final int BODY_BUDGET_IN_BODIES = 64;
    /**
     * Refusals a caller sees as its call failing, which a rollout counts against the version: it was full, over its
     * CPU budget, or too slow to start the call within the caller's deadline. A version refusing because it is not
     * active (draining, starting) has done nothing wrong, and the caller's call goes elsewhere.
     */
    private static final java.util.Set<String> FAILED_REFUSALS = java.util.Set.of(ErrorCode.OVERLOADED.name(),
            "OVER_CPU_BUDGET", ErrorCode.DEADLINE_EXCEEDED.name());

    private final ContainerTable containers;
    private final long maxBodyBytes;
    private final BodyBudget bodyBudget;
    /** How long a call's body may take to arrive once its headers have. */
    private final long bodyTimeoutMillis;

    private final NodeMetrics metrics;
    private final HostNames hostNames;

    CallHandler(ContainerTable containers, long maxBodyBytes, Duration bodyTimeout, NodeMetrics metrics,
            HostNames hostNames) {
        this.containers = containers;
        this.hostNames = hostNames;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyBudget = new BodyBudget(BODY_BUDGET_IN_BODIES * maxBodyBytes);
        this.bodyTimeoutMillis = bodyTimeout.toMillis();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long arrived = System.nanoTime();
        String[] parts = Request.getPathInContext(request).substring(PREFIX.length()).split("/", -1);
        if (parts.length != 4 || anyEmpty(parts)) {
            JsonResponses.error(response, callback, ErrorCode.NOT_FOUND,
                    "expected /v1/call/{service}/{version}/{endpoint}/{method}");
            return true;
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            JsonResponses.error(response, callback, ErrorCode.METHOD_NOT_ALLOWED, "calls are POST requests");
            return true;
        }
        String host = Request.getServerName(request);
        if (!hostNames.answers(host)) {
            // a page of another site whose name was rebound to this node's address; a browser sends that name
            refused(null, ErrorCode.FORBIDDEN.name());
            JsonResponses.error(response, callback, ErrorCode.FORBIDDEN, "this node does not answer calls to host "
                    + Text.quote(host) + "; it answers to its addresses, localhost"
                    + (hostNames.names().isEmpty() ? "" : " and " + String.join(", ", hostNames.names())));
            return true;
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!isJson(contentType)) {
            // what a page of any site may send without asking first (text/plain, a form) is not a call
            refused(null, ErrorCode.UNSUPPORTED_MEDIA_TYPE.name());
            JsonResponses.error(response, callback, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a call's body is a JSON array:"
                    + " send it with Content-Type: application/json" + (contentType == null
                    ? " (the request had none)" : " (the request had " + Text.quote(contentType) + ")"));
            return true;
        }
        // Jetty has decoded the path once; decoding again would turn "gr+eet" into "gr eet"
        String service = parts[0];
        String endpoint = parts[2];
        String method = parts[3];
        String version;
        try {
            version = Version.parseVersion(parts[1]).toString();
        } catch (IllegalArgumentException e) {
            JsonResponses.error(response, callback, ErrorCode.UNKNOWN_VERSION, Text.quote(parts[1]) + " is not a version");
            return true;
        }
        long deadline = deadline(request);
        // the route first: a call for something this node does not run is answered before its body is read
        Container container = containers.find(service, version);
        if (request.getLength() > maxBodyBytes) {
            refused(container, ErrorCode.TOO_LARGE.name());
            JsonResponses.error(response, callback, ErrorCode.TOO_LARGE, "request body exceeds " + maxBodyBytes
                    + " bytes");
            return true;
        }
        if (container == null) {
            unknown(service, version, response, callback);
            return true;
        }
        // read without holding a request thread, and within a deadline: a body that trickles in (a byte every
        // few seconds keeps the idle timeout from firing) is cut off with 408 and its connection closed
        ServerTimeouts.within(new CallBody(request, (int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes), bodyBudget,
                        containers.nodeId()).read(), bodyTimeoutMillis, request)
                .whenComplete((bytes, failure) -> answer(container, version, endpoint, method, bytes, failure,
                        deadline, arrived, response, callback));
        return true;
    }

    /** {@code application/json}, with or without parameters such as a charset, in any case. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
        return type.equalsIgnoreCase("application/json");
    }

    private void answer(Container container, String version, String endpoint, String method, byte[] body,
            Throwable failure, long deadline, long arrived, Response response, Callback callback) {
        if (failure != null) {
            bodyFailed(container, failure, response, callback);
        } else {
            dispatch(container, version, endpoint, method, body, deadline, arrived, response, callback);
        }
    }

    private void refused(Container container, String reason) {
        if (container == null) {
            metrics.refused(NodeMetrics.UNKNOWN, NodeMetrics.UNKNOWN, reason);
        } else {
            metrics.refused(container.id().service(), container.id().version().toString(), reason);
            if (FAILED_REFUSALS.contains(reason)) {
                container.calls().refused();
            }
        }
    }

    private void unknown(String service, String version, Response response, Callback callback) {
        boolean known = containers.hasService(service);
        // the service's name is a label only if the node runs it; a version it does not run never is
        metrics.refused(known ? service : NodeMetrics.UNKNOWN, NodeMetrics.UNKNOWN,
                (known ? ErrorCode.UNKNOWN_VERSION : ErrorCode.UNKNOWN_SERVICE).name());
        if (known) {
            JsonResponses.error(response, callback, ErrorCode.UNKNOWN_VERSION, "node " + containers.nodeId()
                    + " runs no version " + version + " of " + Text.quote(service));
        } else {
            JsonResponses.error(response, callback, ErrorCode.UNKNOWN_SERVICE, "node " + containers.nodeId()
                    + " runs no service " + Text.quote(service));
        }
    }

    private void bodyFailed(Container container, Throwable failure, Response response, Callback callback) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        refused(container, (cause instanceof java.util.concurrent.TimeoutException ? ErrorCode.REQUEST_TIMEOUT
                : cause instanceof ApiError error ? error.code() : ErrorCode.BAD_REQUEST).name());
        if (cause instanceof java.util.concurrent.TimeoutException) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            JsonResponses.error(response, callback, ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive within "
                    + bodyTimeoutMillis + " ms");
        } else if (cause instanceof ApiError error) {
            retryElsewhereIf(error.code(), response);
            JsonResponses.error(response, callback, error.status(), error.code(), error.getMessage());
        } else {
            JsonResponses.error(response, callback, ErrorCode.BAD_REQUEST, "could not read the request body: "
                    + cause.getMessage());
        }
    }

    private void dispatch(Container container, String version, String endpoint, String method, byte[] body,
            long deadline, long arrived, Response response, Callback callback) {
        response.getHeaders().put(VesselHeaders.VERSION, version);
        // everything from parsing the arguments on runs on the container's own threads: argument mapping already
        // runs release code (constructors, setters), and a slow release must only ever wait on its own bulkhead
        Container.Admission admission = container.submit(
                () -> run(container, endpoint, method, body, deadline, arrived, response, callback));
        if (admission == Container.Admission.OVERLOADED) {
            refused(container, ErrorCode.OVERLOADED.name());
            retryElsewhereIf(ErrorCode.OVERLOADED, response);
            JsonResponses.error(response, callback, ErrorCode.OVERLOADED, "container " + container.id() + " on node "
                    + containers.nodeId() + " is running and queueing as many calls as it may ("
                    + container.limits().maxConcurrency() + " at once); the call was not executed");
        } else if (admission == Container.Admission.OVER_CPU_BUDGET) {
            refused(container, "OVER_CPU_BUDGET");
            retryElsewhereIf(ErrorCode.OVERLOADED, response);
            JsonResponses.error(response, callback, ErrorCode.OVERLOADED, "container " + container.id() + " on node "
                    + containers.nodeId() + " is using more CPU than its budget; the call was not executed");
        } else if (admission == Container.Admission.NOT_ACTIVE) {
            refused(container, "NOT_ACTIVE");
            retryElsewhereIf(ErrorCode.UNAVAILABLE, response);
            JsonResponses.error(response, callback, ErrorCode.UNAVAILABLE, "container " + container.id()
                    + " on node " + containers.nodeId() + " is " + container.state() + " and takes no calls; the call"
                    + " was not executed");
        }
    }

    private void run(Container container, String endpoint, String method, byte[] body, long deadline,
            long arrived, Response response, Callback callback) {
        if (deadline != 0 && System.nanoTime() - deadline > 0) {
            refused(container, ErrorCode.DEADLINE_EXCEEDED.name());
            retryElsewhereIf(ErrorCode.DEADLINE_EXCEEDED, response);
            JsonResponses.error(response, callback, ErrorCode.DEADLINE_EXCEEDED, "the caller's deadline passed while the"
                    + " call waited in container " + container.id() + "; it was not executed");
            return;
        }
        JsonNode arguments;
        try {
            arguments = CallArguments.parse(body);
        } catch (ApiError e) {
            refused(container, e.code().name());
            JsonResponses.error(response, callback, e.status(), e.code(), e.getMessage());
            return;
        }
        String outcome = NodeMetrics.OK;
        boolean outsideRelease = false;
        try {
            JsonResponses.json(response, callback, 200, container.call(endpoint, method, arguments));
        } catch (CallFailure failure) {
            outcome = failure.code().name();
            retryElsewhereIf(failure.code(), response);
            JsonResponses.error(response, callback, failure.code(), failure.getMessage());
        } catch (RuntimeException | Error e) {
            outcome = ErrorCode.METHOD_THREW.name();
            outsideRelease = true;
            // never leave the exchange open: whatever the release did, the caller gets an answer
            JsonResponses.error(response, callback, ErrorCode.METHOD_THREW, e.toString());
        }
        // the method is a label only once the release has shown it has it: the caller's text never is one
        boolean found = !outsideRelease && (outcome.equals(NodeMetrics.OK)
                || outcome.equals(ErrorCode.METHOD_THREW.name()) || outcome.equals(ErrorCode.BAD_ARGUMENTS.name())
                || outcome.equals(ErrorCode.RESULT_NOT_SERIALIZABLE.name()));
        long nanos = System.nanoTime() - arrived;
        metrics.call(container.id(), found ? endpoint + "." + method : NodeMetrics.UNKNOWN, outcome, nanos);
        container.calls().ran(!outcome.equals(NodeMetrics.OK), nanos, container.warmingUp());
    }

    /** The caller's deadline as a {@link System#nanoTime()} value, or 0 if it sent none. */
    private static long deadline(Request request) {
        String header = request.getHeaders().get(VesselHeaders.DEADLINE_MS);
        if (header == null) {
            return 0;
        }
        try {
            long millis = Long.parseLong(header.trim());
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
            return deadline == 0 ? 1 : deadline;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Tells the caller the call was not executed, so another instance may take it, when that is so. */
    static void retryElsewhereIf(ErrorCode code, Response response) {
        if (code.retryElsewhere()) {
            response.getHeaders().put(VesselHeaders.RETRY, VesselHeaders.RETRY_OTHER);
        }
    }

    private static boolean anyEmpty(String[] parts) {
        for (String part : parts) {
            if (part.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
