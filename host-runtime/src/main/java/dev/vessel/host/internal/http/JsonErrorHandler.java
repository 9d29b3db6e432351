package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorBody;
import dev.vessel.protocol.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a malformed request line, headers too large, a request that timed out) in the
 * API's {@code {"error": CODE, "message": ...}} form, never an HTML page, and without exception text.
 */
public final class JsonErrorHandler extends ErrorHandler {
    /** Jetty writes an error body only for GET, POST and HEAD by default; a refused PUT got an empty 400. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message,
            Throwable cause, Callback callback) {
        // Jetty ends the connection after most errors it raises itself (an ambiguous path, say): say so, or a
        // client sends its next request on a connection that is already closing
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        JsonResponses.error(response, callback, status, code(status), text(status, message));
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        try {
            return ByteBuffer.wrap(JsonResponses.MAPPER.writeValueAsBytes(ErrorBody.of(code(status),
                    text(status, reason))));
        } catch (Exception e) {
            return ByteBuffer.wrap(("{\"error\":\"" + code(status) + "\"}").getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static String text(int status, String message) {
        if (status >= 500) {
            return "the node could not handle this request; its log has the details";
        }
        return message == null || message.isBlank() ? "the request was refused (HTTP " + status + ")" : message;
    }

    /** The API's error code for an HTTP status Jetty chose. */
    static ErrorCode code(int status) {
        return switch (status) {
            case 400 -> ErrorCode.BAD_REQUEST;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 408 -> ErrorCode.REQUEST_TIMEOUT;
            case 411 -> ErrorCode.LENGTH_REQUIRED;
            case 413 -> ErrorCode.TOO_LARGE;
            case 414 -> ErrorCode.URI_TOO_LONG;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.TOO_MANY_REQUESTS;
            case 431 -> ErrorCode.HEADERS_TOO_LARGE;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
        };
    }
}
