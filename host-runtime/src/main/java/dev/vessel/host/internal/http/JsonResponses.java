package dev.vessel.host.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes JSON bodies and the data plane's {@code {"error": CODE, "message": ...}} errors. */
public final class JsonResponses {
    /** Only ever serializes JDK types and JsonNodes: safe to share across containers. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonResponses() {}

    public static void json(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
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
     * Writes an error. When the request carried a body, the connection is closed after the answer: an error may
     * be sent before that body was read (a refused upload, a bad token), and a client that reuses such a
     * connection fails its next request on it.
     */
    public static void error(Response response, Callback callback, int status, String code, String message) {
        if (response.getRequest().getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        json(response, callback, status, body);
    }
}
