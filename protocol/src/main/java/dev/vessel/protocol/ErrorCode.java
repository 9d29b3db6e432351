package dev.vessel.protocol;

import static dev.vessel.protocol.ExitCodes.BAD_INPUT;
import static dev.vessel.protocol.ExitCodes.CONFLICT;
import static dev.vessel.protocol.ExitCodes.FAILED;
import static dev.vessel.protocol.ExitCodes.UNAUTHORIZED;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every code a node puts in the {@code error} field of an answer, with the HTTP status it comes with, whether the
 * request was not executed so another instance may take it (then the answer carries {@code Vessel-Retry: other}),
 * and the exit code the {@code vessel} command ends with when it gets it.
 */
public enum ErrorCode {
    // the request itself
    BAD_REQUEST(400, false, BAD_INPUT),
    MALFORMED_JSON(400, false, BAD_INPUT),
    UNAUTHORIZED(401, false, ExitCodes.UNAUTHORIZED),
    FORBIDDEN(403, false, ExitCodes.UNAUTHORIZED),
    /** The node was started without an admin token: its admin API takes nothing. */
    ADMIN_DISABLED(403, false, ExitCodes.UNAUTHORIZED),
    NOT_FOUND(404, false, BAD_INPUT),
    METHOD_NOT_ALLOWED(405, false, FAILED),
    REQUEST_TIMEOUT(408, false, FAILED),
    LENGTH_REQUIRED(411, false, FAILED),
    TOO_LARGE(413, false, BAD_INPUT),
    URI_TOO_LONG(414, false, FAILED),
    UNSUPPORTED_MEDIA_TYPE(415, false, FAILED),
    TOO_MANY_REQUESTS(429, false, FAILED),
    HEADERS_TOO_LARGE(431, false, FAILED),

    // calls (the data plane)
    BAD_ARGUMENTS(400, false, BAD_INPUT),
    UNKNOWN_SERVICE(404, false, BAD_INPUT),
    UNKNOWN_VERSION(404, false, BAD_INPUT),
    UNKNOWN_ENDPOINT(404, false, BAD_INPUT),
    UNKNOWN_METHOD(404, false, BAD_INPUT),
    /** The release's method threw: its exception's type and message, never a stack trace. */
    METHOD_THREW(500, false, FAILED),
    RESULT_NOT_SERIALIZABLE(500, false, FAILED),
    /** The container is draining, stopped or failed: the call was not executed. */
    UNAVAILABLE(503, true, FAILED),
    /** The container runs and queues as many calls as it may: the call was not executed. */
    OVERLOADED(503, true, FAILED),
    /** The caller's deadline passed while the call waited: it was not executed. */
    DEADLINE_EXCEEDED(504, true, FAILED),

    // the admin API
    UNKNOWN_ARTIFACT(404, false, BAD_INPUT),
    BAD_UPLOAD(400, false, BAD_INPUT),
    BAD_DIGEST(400, false, BAD_INPUT),
    BAD_CHUNK(400, false, BAD_INPUT),
    DIGEST_MISMATCH(400, false, BAD_INPUT),
    CHUNK_MISMATCH(400, false, BAD_INPUT),
    CONFLICT(409, false, ExitCodes.CONFLICT),
    UPLOAD_CONFLICT(409, false, ExitCodes.CONFLICT),
    CHUNK_BUSY(409, false, ExitCodes.CONFLICT),
    NO_UPLOAD(409, false, ExitCodes.CONFLICT),
    RELEASE_EXISTS(409, false, ExitCodes.CONFLICT),
    BAD_RANGE(416, false, FAILED),
    INVALID_RELEASE(422, false, BAD_INPUT),
    MISSING_ARTIFACT(422, false, BAD_INPUT),
    DRY_RUN_FAILED(422, false, BAD_INPUT),
    BASELINE_REFUSED(422, false, BAD_INPUT),
    CONFIGURATION_REFUSED(422, false, BAD_INPUT),
    /** A rollout rule that is not valid: nothing was written. */
    RULE_REFUSED(422, false, BAD_INPUT),
    /** A release whose signature the cluster's trust policy requires and it lacks, or does not accept. */
    SIGNATURE_REFUSED(422, false, BAD_INPUT),
    TOO_MANY_UPLOADS(429, false, FAILED),
    /** The node handles as many admin requests or artifact reads as it may: nothing was done. */
    BUSY(503, true, FAILED),
    /** The node has no registry session now (ZooKeeper unreachable): nothing was read or changed. */
    REGISTRY_UNAVAILABLE(503, false, ExitCodes.UNAVAILABLE),
    STORE_FULL(507, false, FAILED),

    // the node itself
    INTERNAL(500, false, FAILED),
    METRICS_FAILED(500, false, FAILED);

    private static final Map<String, ErrorCode> BY_NAME = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(ErrorCode::name, Function.identity()));

    private final int status;
    private final boolean retryElsewhere;
    private final int exitCode;

    ErrorCode(int status, boolean retryElsewhere, int exitCode) {
        this.status = status;
        this.retryElsewhere = retryElsewhere;
        this.exitCode = exitCode;
    }

    /** The HTTP status an answer with this code has. */
    public int status() {
        return status;
    }

    /** Whether the request was not executed, so that another instance may safely take it. */
    public boolean retryElsewhere() {
        return retryElsewhere;
    }

    /** The exit code of a {@code vessel} verb that ends on this error. */
    public int exitCode() {
        return exitCode;
    }

    /** The code of this name; empty for a name this version does not know (a newer node's, or none). */
    public static Optional<ErrorCode> of(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(name));
    }

    /**
     * The exit code for an answer of {@code status} whose code is unknown here: the same rule the codes above
     * follow (401/403 unauthorized, 409 conflict, 400/404/413/422 bad input, anything else failed).
     */
    public static int exitCodeOf(int status) {
        return switch (status) {
            case 401, 403 -> ExitCodes.UNAUTHORIZED;
            case 409 -> ExitCodes.CONFLICT;
            case 400, 404, 413, 422 -> BAD_INPUT;
            default -> FAILED;
        };
    }
}
