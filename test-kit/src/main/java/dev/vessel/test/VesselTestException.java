package dev.vessel.test;

/** What the test cluster could not do, and why (a refused release says the node's reason). */
public class VesselTestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VesselTestException(String message) {
        super(message);
    }

    public VesselTestException(String message, Throwable cause) {
        super(message, cause);
    }
}
