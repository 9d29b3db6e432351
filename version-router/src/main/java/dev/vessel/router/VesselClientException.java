package dev.vessel.router;

/** A call through {@link VesselClient} did not produce a result; subclasses say why. */
public class VesselClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VesselClientException(String message) {
        super(message);
    }

    public VesselClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
