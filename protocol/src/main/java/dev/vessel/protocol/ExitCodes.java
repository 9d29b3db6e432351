package dev.vessel.protocol;

/** The exit codes of the {@code vessel} command; {@link ErrorCode#exitCode()} maps each error onto one. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The operation ran and failed: a remote error, a container that FAILED. */
    public static final int FAILED = 1;
    /** The command line or its files are wrong; nothing was changed. */
    public static final int BAD_INPUT = 2;
    /** What was asked for does not exist: no compatible version, no such node or container. */
    public static final int NOT_FOUND = 3;
    /** The cluster cannot be reached: ZooKeeper or every instance down, or no cluster known on this machine. */
    public static final int UNAVAILABLE = 4;
    /** Someone else changed the deployment first; nothing was written. Look at the history and retry. */
    public static final int CONFLICT = 5;
    /** The admin API refused the token (missing, wrong, or the node has none). */
    public static final int UNAUTHORIZED = 6;

    private ExitCodes() {}
}
