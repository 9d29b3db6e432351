package dev.vessel.host.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.internal.container.CallFailure;
import dev.vessel.host.internal.container.Container;
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
    static final String VERSION_HEADER = "Vessel-Version";
    static final String RETRY_HEADER = "Vessel-Retry";
    /** Milliseconds the caller still waits for this attempt; work that would start later is refused. */
    static final String DEADLINE_HEADER = "Vessel-Deadline-Ms";
    static final String OVERLOADED = "OVERLOADED";
    static final String DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED";

    /** Bytes of unfinished call bodies held at once, in bodies of the largest size a call may have. */
    static final int BODY_BUDGET_IN_BODIES = 64;

    private final ContainerLookup containers;
    private final long maxBodyBytes;
    private final BodyBudget bodyBudget;
    /** How long a call's body may take to arrive once its headers have. */
    private final long bodyTimeoutMillis;

    CallHandler(ContainerLookup containers, long maxBodyBytes, Duration bodyTimeout) {
        this.containers = containers;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyBudget = new BodyBudget(BODY_BUDGET_IN_BODIES * maxBodyBytes);
        this.bodyTimeoutMillis = bodyTimeout.toMillis();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String[] parts = Request.getPathInContext(request).substring(PREFIX.length()).split("/", -1);
        if (parts.length != 4 || anyEmpty(parts)) {
            JsonResponses.error(response, callback, 404, "NOT_FOUND",
                    "expected /v1/call/{service}/{version}/{endpoint}/{method}");
            return true;
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            JsonResponses.error(response, callback, 405, "METHOD_NOT_ALLOWED", "calls are POST requests");
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
            JsonResponses.error(response, callback, 404, "UNKNOWN_VERSION", Text.quote(parts[1]) + " is not a version");
            return true;
        }
        long deadline = deadline(request);
        if (request.getLength() > maxBodyBytes) {
            JsonResponses.error(response, callback, 413, "TOO_LARGE", "request body exceeds " + maxBodyBytes
                    + " bytes");
            return true;
        }
        // the route first: a call for something this node does not run is answered before its body is read
        Container container = containers.find(service, version);
        if (container == null) {
            unknown(service, version, response, callback);
            return true;
        }
        // read without holding a request thread, and within a deadline: a body that trickles in (a byte every
        // few seconds keeps the idle timeout from firing) is cut off with 408 and its connection closed
        new CallBody(request, (int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes), bodyBudget, containers.nodeId())
                .read().orTimeout(bodyTimeoutMillis, TimeUnit.MILLISECONDS)
                .whenComplete((bytes, failure) -> answer(container, version, endpoint, method, bytes, failure,
                        deadline, response, callback));
        return true;
    }

    private void answer(Container container, String version, String endpoint, String method, byte[] body,
            Throwable failure, long deadline, Response response, Callback callback) {
        if (failure != null) {
            bodyFailed(failure, response, callback);
        } else {
            dispatch(container, version, endpoint, method, body, deadline, response, callback);
        }
    }

    private void unknown(String service, String version, Response response, Callback callback) {
        if (containers.hasService(service)) {
            JsonResponses.error(response, callback, 404, "UNKNOWN_VERSION", "node " + containers.nodeId()
                    + " runs no version " + version + " of " + Text.quote(service));
        } else {
            JsonResponses.error(response, callback, 404, "UNKNOWN_SERVICE", "node " + containers.nodeId()
                    + " runs no service " + Text.quote(service));
        }
    }

    private void bodyFailed(Throwable failure, Response response, Callback callback) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof java.util.concurrent.TimeoutException) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            JsonResponses.error(response, callback, 408, "REQUEST_TIMEOUT", "the request body did not arrive within "
                    + bodyTimeoutMillis + " ms");
        } else if (cause instanceof ApiError error) {
            if (error.status() == 503) {
                response.getHeaders().put(RETRY_HEADER, "other");
            }
            JsonResponses.error(response, callback, error.status(), error.code(), error.getMessage());
        } else {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", "could not read the request body: "
                    + cause.getMessage());
        }
    }

    private void dispatch(Container container, String version, String endpoint, String method, byte[] body,
            long deadline, Response response, Callback callback) {
        response.getHeaders().put(VERSION_HEADER, version);
        // everything from parsing the arguments on runs on the container's own threads: argument mapping already
        // runs release code (constructors, setters), and a slow release must only ever wait on its own bulkhead
        Container.Admission admission = container.submit(
                () -> run(container, endpoint, method, body, deadline, response, callback));
        if (admission == Container.Admission.OVERLOADED) {
            response.getHeaders().put(RETRY_HEADER, "other");
            JsonResponses.error(response, callback, 503, OVERLOADED, "container " + container.id() + " on node "
                    + containers.nodeId() + " is running and queueing as many calls as it may ("
                    + container.limits().maxConcurrency() + " at once); the call was not executed");
        } else if (admission == Container.Admission.NOT_ACTIVE) {
            response.getHeaders().put(RETRY_HEADER, "other");
            JsonResponses.error(response, callback, 503, CallFailure.UNAVAILABLE, "container " + container.id()
                    + " on node " + containers.nodeId() + " is " + container.state() + " and takes no calls; the call"
                    + " was not executed");
        }
    }

    private void run(Container container, String endpoint, String method, byte[] body, long deadline,
            Response response, Callback callback) {
        if (deadline != 0 && System.nanoTime() - deadline > 0) {
            response.getHeaders().put(RETRY_HEADER, "other");
            JsonResponses.error(response, callback, 504, DEADLINE_EXCEEDED, "the caller's deadline passed while the"
                    + " call waited in container " + container.id() + "; it was not executed");
            return;
        }
        JsonNode arguments;
        try {
            arguments = CallArguments.parse(body);
        } catch (ApiError e) {
            JsonResponses.error(response, callback, e.status(), e.code(), e.getMessage());
            return;
        }
        try {
            JsonResponses.json(response, callback, 200, container.call(endpoint, method, arguments));
        } catch (CallFailure failure) {
            if (failure.status() == 503) {
                response.getHeaders().put(RETRY_HEADER, "other");
            }
            JsonResponses.error(response, callback, failure.status(), failure.code(), failure.getMessage());
        } catch (RuntimeException | Error e) {
            // never leave the exchange open: whatever the release did, the caller gets an answer
            JsonResponses.error(response, callback, 500, CallFailure.METHOD_THREW, e.toString());
        }
    }

    /** The caller's deadline as a {@link System#nanoTime()} value, or 0 if it sent none. */
    private static long deadline(Request request) {
        String header = request.getHeaders().get(DEADLINE_HEADER);
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

    private static boolean anyEmpty(String[] parts) {
        for (String part : parts) {
            if (part.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
