package dev.vessel.host.guard;

/**
 * What bundle code calls instead of {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt}: every
 * container weaves those calls into calls of these methods, which refuse. The host decides when its process ends,
 * never a release it runs.
 *
 * <p>The system bundle of each container exports this package, and woven classes import it dynamically; it is
 * not an API for releases to call directly.
 */
public final class ExitGuard {
    private ExitGuard() {}

    /** Stands in for {@code System.exit(status)}. */
    public static void systemExit(int status) {
        throw refusal("System.exit(" + status + ")");
    }

    /** Stands in for {@code runtime.exit(status)}. */
    public static void runtimeExit(Runtime runtime, int status) {
        throw refusal("Runtime.exit(" + status + ")");
    }

    /** Stands in for {@code runtime.halt(status)}. */
    public static void runtimeHalt(Runtime runtime, int status) {
        throw refusal("Runtime.halt(" + status + ")");
    }

    private static SecurityException refusal(String call) {
        return new SecurityException(call + " refused: a release cannot end the Vessel host that runs it");
    }
}
