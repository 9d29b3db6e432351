package dev.vessel.cli;

import dev.vessel.deploy.AdminException;
import dev.vessel.host.InvalidReleaseException;
import dev.vessel.registry.DeploymentConflictException;
import dev.vessel.registry.RegistryException;
import dev.vessel.router.NoCompatibleVersionException;
import dev.vessel.router.UnavailableException;

/** The exit codes of every verb, and the one place that maps failures onto them. */
final class ExitCode {
    static final int OK = 0;
    /** The operation ran and failed: a remote error, a container that FAILED. */
    static final int FAILED = 1;
    /** The command line or its files are wrong; nothing was changed. */
    static final int BAD_INPUT = 2;
    /** What was asked for does not exist: no compatible version, no such node or container. */
    static final int NOT_FOUND = 3;
    /** The cluster cannot be reached: ZooKeeper or every instance down, or no cluster known on this machine. */
    static final int UNAVAILABLE = 4;
    /** Someone else changed the deployment first; nothing was written. Look at the history and retry. */
    static final int CONFLICT = 5;
    /** The admin API refused the token (missing, wrong, or the node has none). */
    static final int UNAUTHORIZED = 6;

    /** What help screens list, in order. */
    static final java.util.Map<String, String> DESCRIPTIONS = descriptions();

    private ExitCode() {}

    private static java.util.Map<String, String> descriptions() {
        java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        codes.put(" " + OK, "ok");
        codes.put(" " + FAILED, "failed: the operation ran and did not succeed");
        codes.put(" " + BAD_INPUT, "bad input: nothing was changed");
        codes.put(" " + NOT_FOUND, "not found");
        codes.put(" " + UNAVAILABLE, "cluster unavailable");
        codes.put(" " + CONFLICT, "conflict: someone else changed it first; nothing was written");
        codes.put(" " + UNAUTHORIZED, "unauthorized");
        return java.util.Collections.unmodifiableMap(codes);
    }

    static int of(Throwable failure) {
        if (failure instanceof CliException cli) {
            return cli.exitCode();
        }
        if (failure instanceof AdminException admin) {
            return switch (admin.status()) {
                case 401, 403 -> UNAUTHORIZED;
                case 409 -> CONFLICT;
                case 400, 404, 413, 422 -> BAD_INPUT;
                default -> FAILED;
            };
        }
        if (failure instanceof DeploymentConflictException
                || failure instanceof dev.vessel.registry.ConfigurationConflictException) {
            return CONFLICT;
        }
        if (failure instanceof NoCompatibleVersionException) {
            return NOT_FOUND;
        }
        if (failure instanceof InvalidReleaseException || failure instanceof IllegalArgumentException) {
            return BAD_INPUT;
        }
        if (failure instanceof dev.vessel.registry.RegistryAccessDeniedException) {
            return UNAUTHORIZED;
        }
        if (failure instanceof RegistryException || failure instanceof UnavailableException) {
            return UNAVAILABLE;
        }
        return FAILED;
    }
}
