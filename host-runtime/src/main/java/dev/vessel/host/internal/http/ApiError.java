package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import static java.util.Objects.requireNonNull;

/**
 * A request the API answers with an error: the HTTP status, a code clients can branch on, and a message for
 * people. Thrown by any endpoint; {@link ErrorMapper} turns it (and every other failure) into the one
 * {@code {"error": CODE, "message": ...}} answer.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final ErrorCode code;

    public ApiError(ErrorCode code, String message) {
        this(requireNonNull(code, "code cannot be null").status(), code, message);
    }

    /** An answer whose status is not its code's own: a status Jetty chose, mapped onto the nearest code. */
    public ApiError(int status, ErrorCode code, String message) {
        super(requireNonNull(message, "message cannot be null"), null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx; got " + status);
        }
        this.status = status;
        this.code = requireNonNull(code, "code cannot be null");
    }

    public static ApiError badRequest(String message) {
        return new ApiError(ErrorCode.BAD_REQUEST, message);
    }

    public int status() {
        return status;
    }

    public ErrorCode code() {
        return code;
    }
}
