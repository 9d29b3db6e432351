package dev.vessel.host.internal.container;

import dev.vessel.protocol.ErrorCode;

/** Why a call into a container produced no result: {@link #code} is the {@code error} of the answer. */
public final class CallFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    private CallFailure(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    static CallFailure badArguments(String message) {
        return new CallFailure(ErrorCode.BAD_ARGUMENTS, message);
    }

    static CallFailure unknownEndpoint(String message) {
        return new CallFailure(ErrorCode.UNKNOWN_ENDPOINT, message);
    }

    static CallFailure unknownMethod(String message) {
        return new CallFailure(ErrorCode.UNKNOWN_METHOD, message);
    }

    /** The method itself threw: its type and message, never its stack trace. */
    static CallFailure threw(Throwable thrown) {
        String message = thrown.getMessage();
        return new CallFailure(ErrorCode.METHOD_THREW,
                thrown.getClass().getName() + (message == null ? "" : ": " + message));
    }

    /** The container can no longer run the call; it was not executed, another instance may take it. */
    static CallFailure unavailable(String message) {
        return new CallFailure(ErrorCode.UNAVAILABLE, message);
    }

    static CallFailure unserializable(String message) {
        return new CallFailure(ErrorCode.RESULT_NOT_SERIALIZABLE, message);
    }

    public ErrorCode code() {
        return code;
    }
}
