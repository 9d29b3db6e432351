package dev.vessel.host.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.internal.container.CallFailure;
import dev.vessel.host.internal.container.Container;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
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

    private final ContainerLookup containers;
    private final long maxBodyBytes;

    CallHandler(ContainerLookup containers, long maxBodyBytes) {
        this.containers = containers;
        this.maxBodyBytes = maxBodyBytes;
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
        String service = decode(parts[0]);
        String endpoint = decode(parts[2]);
        String method = decode(parts[3]);
        String version;
        try {
            version = Version.parseVersion(decode(parts[1])).toString();
        } catch (IllegalArgumentException e) {
            JsonResponses.error(response, callback, 404, "UNKNOWN_VERSION", "'" + decode(parts[1])
                    + "' is not a version");
            return true;
        }
        // read the body before any answer, so a refusal need not give up the connection (see JsonResponses.error)
        byte[] body;
        try {
            body = readBody(request);
        } catch (TooLarge e) {
            JsonResponses.error(response, callback, 413, "TOO_LARGE", "request body exceeds " + maxBodyBytes
                    + " bytes");
            return true;
        } catch (IOException e) {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", "could not read the request body: "
                    + e.getMessage());
            return true;
        }
        Container container = containers.find(service, version);
        if (container == null) {
            if (containers.hasService(service)) {
                JsonResponses.error(response, callback, 404, "UNKNOWN_VERSION", "node " + containers.nodeId()
                        + " runs no version " + version + " of '" + service + "'");
            } else {
                JsonResponses.error(response, callback, 404, "UNKNOWN_SERVICE", "node " + containers.nodeId()
                        + " runs no service '" + service + "'");
            }
            return true;
        }
        JsonNode arguments;
        try {
            arguments = JsonResponses.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            JsonResponses.error(response, callback, 400, "MALFORMED_JSON", "the body is not valid JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr())
                    + ": " + withoutSource(e.getOriginalMessage()));
            return true;
        } catch (IOException e) {
            JsonResponses.error(response, callback, 400, "MALFORMED_JSON", "the body is not valid JSON: "
                    + e.getMessage());
            return true;
        }
        if (arguments == null || !arguments.isArray()) {
            JsonResponses.error(response, callback, 400, CallFailure.BAD_ARGUMENTS,
                    "the body must be a JSON array of arguments, e.g. [\"Ada\"]");
            return true;
        }
        invoke(container, endpoint, method, arguments, response, callback);
        return true;
    }

    private void invoke(Container container, String endpoint, String method, JsonNode arguments, Response response,
            Callback callback) {
        response.getHeaders().put(VERSION_HEADER, container.release().version().toString());
        if (!container.enter()) {
            response.getHeaders().put(RETRY_HEADER, "other");
            JsonResponses.error(response, callback, 503, "UNAVAILABLE", "container " + container.id() + " on node "
                    + containers.nodeId() + " is " + container.state() + " and takes no calls; the call was not"
                    + " executed");
            return;
        }
        long started = System.nanoTime();
        try {
            JsonResponses.json(response, callback, 200, container.call(endpoint, method, arguments));
        } catch (CallFailure failure) {
            JsonResponses.error(response, callback, failure.status(), failure.code(), failure.getMessage());
        } finally {
            container.addBusyNanos(System.nanoTime() - started);
            container.exit();
        }
    }

    private byte[] readBody(Request request) throws IOException, TooLarge {
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            throw new TooLarge();
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (body.length > maxBodyBytes) {
                throw new TooLarge();
            }
            return body;
        }
    }

    /** Jackson appends where the input came from; for a request body that says nothing. */
    private static String withoutSource(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\(start marker at \\[Source:.*", "")
                .replaceAll("\\s*at \\[Source:.*", "");
    }

    private static boolean anyEmpty(String[] parts) {
        for (String part : parts) {
            if (part.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }
}
