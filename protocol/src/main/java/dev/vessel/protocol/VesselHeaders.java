package dev.vessel.protocol;

/** The HTTP headers of the data plane ({@code POST /v1/call/...}), as node and client write and read them. */
public final class VesselHeaders {
    /** On every answer from a container: the release version that answered. */
    public static final String VERSION = "Vessel-Version";
    /**
     * On an answer whose call was not executed: {@value #RETRY_OTHER} means another instance may take it (the
     * container was draining, gone or full).
     */
    public static final String RETRY = "Vessel-Retry";
    /** The value of {@link #RETRY} that makes a retry elsewhere safe. */
    public static final String RETRY_OTHER = "other";
    /** On a call: milliseconds the caller still waits for this attempt; work that would start later is refused. */
    public static final String DEADLINE_MS = "Vessel-Deadline-Ms";

    private VesselHeaders() {}
}
