package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorBody;
import dev.vessel.protocol.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes JSON bodies and the data plane's {@code {"error": CODE, "message": ...}} errors. */
public final class JsonResponses {
    /** Only ever serializes JDK types and JsonNodes: safe to share across containers. */
    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** Largest unread request body read and discarded before an error answer, so the connection survives. */
    static final long DRAIN_LIMIT_BYTES = 4L << 20;
    /** Longest such a drain may take. */
    static final long DRAIN_MILLIS = 2_000;

    private JsonResponses() {}

    /**
     * The body length the request declares: 0 when it has neither {@code Content-Length} nor
     * {@code Transfer-Encoding} (Jetty answers -1, "unknown", for such a request over TLS), -1 for a chunked one.
     */
    public static long declaredLength(org.eclipse.jetty.server.Request request) {
        long length = request.getLength();
        if (length < 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            return 0;
        }
        return length;
    }

    public static void json(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (HttpMethod.HEAD.is(response.getRequest().getMethod())) {
            // the length a GET would get, and no body: bytes after a HEAD answer would be read as the next one
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, null, callback);
            return;
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    public static void json(Response response, Callback callback, int status, Object value) {
        try {
            json(response, callback, status, MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    /**
     * Writes an error. An error may be answered before the request's body was read (a refused upload, a bad token,
     * a route that does not exist). Closing a connection whose client is still sending makes its TCP stack reset
     * the connection, and the client loses the answer; so a body of up to {@link #DRAIN_LIMIT_BYTES} is read and
     * discarded first (for at most {@link #DRAIN_MILLIS}), and the connection stays usable. A larger, unknown
     * (chunked) or slower body gets the answer with the connection closed.
     */
    public static void error(Response response, Callback callback, ErrorCode code, String message) {
        error(response, callback, code.status(), code, message);
    }

    /** Like {@link #error(Response, Callback, ErrorCode, String)} with a status other than the code's own. */
    public static void error(Response response, Callback callback, int status, ErrorCode code, String message) {
        jsonDiscardingBody(response, callback, status, ErrorBody.of(code, message));
    }

    /**
     * Writes {@code value} as the answer to a request whose body the handler did not (or not entirely) read:
     * the rest is read and discarded first when that is cheap, as {@link #error} explains.
     */
    public static void jsonDiscardingBody(Response response, Callback callback, int status, Object value) {
        long length = declaredLength(response.getRequest());
        if (length == 0) {
            json(response, callback, status, value);
            return;
        }
        boolean closing = response.getHeaders().contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        if (closing || length < 0 || length > DRAIN_LIMIT_BYTES) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            json(response, callback, status, value);
            return;
        }
        Callback.Completable drained = new Callback.Completable();
        Content.Source.consumeAll(response.getRequest(), drained);
        ServerTimeouts.within(drained, DRAIN_MILLIS, response.getRequest()).whenComplete((done, failure) -> {
            if (failure != null) {
                response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            }
            json(response, callback, status, value);
        });
    }
}
