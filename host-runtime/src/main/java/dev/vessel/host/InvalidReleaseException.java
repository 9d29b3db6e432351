package dev.vessel.host;

/** The jars do not make a release Vessel can run; the message names the jar and what is wrong with it. */
public class InvalidReleaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidReleaseException(String message) {
        super(message);
    }

    public InvalidReleaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
