package dev.vessel.host;

import dev.vessel.protocol.ErrorCode;

/** Why a {@link ServiceEndpoint} call gave no result: the code and message a node's answer would carry. */
public final class EndpointCallException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    EndpointCallException(ErrorCode code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    /** The {@code error} of the node's answer, e.g. {@code BAD_ARGUMENTS} or {@code METHOD_THREW}. */
    public ErrorCode code() {
        return code;
    }
}
