package dev.vessel.host.internal.release;

/** A release was refused before anything went live; {@link #code()} says which check, the message why. */
public final class ReleaseRefused extends Exception {
    private static final long serialVersionUID = 1L;

    public static final String INVALID_RELEASE = "INVALID_RELEASE";
    public static final String MISSING_ARTIFACT = "MISSING_ARTIFACT";
    public static final String DRY_RUN_FAILED = "DRY_RUN_FAILED";
    public static final String BASELINE_REFUSED = "BASELINE_REFUSED";
    public static final String RELEASE_EXISTS = "RELEASE_EXISTS";
    public static final String CONFIGURATION_REFUSED = "CONFIGURATION_REFUSED";

    private final String code;

    public ReleaseRefused(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** 409 for a version that already names other content, 422 for a release that failed a check. */
    public int status() {
        return RELEASE_EXISTS.equals(code) ? 409 : 422;
    }
}
