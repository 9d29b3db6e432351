package dev.vessel.host.internal.container;

/**
 * Why a call into a container produced no result. {@link #status} is the HTTP status the data plane answers
 * with, {@link #code} the {@code error} field of its JSON body.
 */
public final class CallFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public static final String BAD_ARGUMENTS = "BAD_ARGUMENTS";
    public static final String UNKNOWN_ENDPOINT = "UNKNOWN_ENDPOINT";
    public static final String UNKNOWN_METHOD = "UNKNOWN_METHOD";
    public static final String METHOD_THREW = "METHOD_THREW";
    public static final String RESULT_NOT_SERIALIZABLE = "RESULT_NOT_SERIALIZABLE";
    public static final String UNAVAILABLE = "UNAVAILABLE";

    private final int status;
    private final String code;

    private CallFailure(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static CallFailure badArguments(String message) {
        return new CallFailure(400, BAD_ARGUMENTS, message);
    }

    static CallFailure unknownEndpoint(String message) {
        return new CallFailure(404, UNKNOWN_ENDPOINT, message);
    }

    static CallFailure unknownMethod(String message) {
        return new CallFailure(404, UNKNOWN_METHOD, message);
    }

    /** The method itself threw: its type and message, never its stack trace. */
    static CallFailure threw(Throwable thrown) {
        String message = thrown.getMessage();
        return new CallFailure(500, METHOD_THREW, thrown.getClass().getName() + (message == null ? "" : ": " + message));
    }

    /** The container can no longer run the call; it was not executed, another instance may take it. */
    static CallFailure unavailable(String message) {
        return new CallFailure(503, UNAVAILABLE, message);
    }

    static CallFailure unserializable(String message) {
        return new CallFailure(500, RESULT_NOT_SERIALIZABLE, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
