package dev.vessel.router;

/**
 * The node answered with an error: bad arguments (400), an unknown method (404), a body too large (413) or a
 * method that threw (500). {@link #errorCode()} is the node's {@code error} field, {@link #remoteMessage()} its
 * {@code message}.
 */
public class RemoteCallException extends VesselClientException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorCode;
    private final String remoteMessage;
    private final String version;
    private final String instanceId;

    public RemoteCallException(int status, String errorCode, String remoteMessage, String version, String instanceId) {
        super("HTTP " + status + " " + errorCode + " from " + instanceId + " (version " + version + "): "
                + remoteMessage);
        this.status = status;
        this.errorCode = errorCode;
        this.remoteMessage = remoteMessage;
        this.version = version;
        this.instanceId = instanceId;
    }

    public int status() {
        return status;
    }

    public String errorCode() {
        return errorCode;
    }

    public String remoteMessage() {
        return remoteMessage;
    }

    public String version() {
        return version;
    }

    public String instanceId() {
        return instanceId;
    }
}
