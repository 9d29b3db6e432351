package dev.vessel.test.endpoint;

/** An endpoint call that gave no result, with the error code a node's answer would carry. */
public final class EndpointCallFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    EndpointCallFailed(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The {@code error} of the node's answer, e.g. {@code BAD_ARGUMENTS}, {@code UNKNOWN_METHOD}. */
    public String code() {
        return code;
    }
}
