package dev.vessel.host.internal.release;

import dev.vessel.protocol.ErrorCode;

/** A release was refused before anything went live; {@link #code()} says which check, the message why. */
public final class ReleaseRefused extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code which check: {@link ErrorCode#RELEASE_EXISTS} (409) for a version that already names other
     *             content, else one of the 422 codes of a release that failed a check
     */
    public ReleaseRefused(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
