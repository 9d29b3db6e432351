package dev.vessel.router;

/**
 * Compatible instances exist but none of those tried took the call: each was draining, gone or unreachable.
 * The call was not executed by any of them.
 */
public class UnavailableException extends VesselClientException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }
}
