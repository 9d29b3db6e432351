package dev.vessel.cli;

import dev.vessel.deploy.AdminException;
import dev.vessel.deploy.AdminUnreachableException;
import dev.vessel.host.InvalidReleaseException;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.ExitCodes;
import dev.vessel.registry.DeploymentConflictException;
import dev.vessel.registry.RegistryException;
import dev.vessel.router.NoCompatibleVersionException;
import dev.vessel.router.UnavailableException;

/** The exit codes of every verb, and the one place that maps failures onto them. */
final class ExitCode {
    static final int OK = ExitCodes.OK;
    static final int FAILED = ExitCodes.FAILED;
    static final int BAD_INPUT = ExitCodes.BAD_INPUT;
    static final int NOT_FOUND = ExitCodes.NOT_FOUND;
    static final int UNAVAILABLE = ExitCodes.UNAVAILABLE;
    static final int CONFLICT = ExitCodes.CONFLICT;
    static final int UNAUTHORIZED = ExitCodes.UNAUTHORIZED;

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
        if (failure instanceof AdminUnreachableException) {
            return UNAVAILABLE;
        }
        if (failure instanceof AdminException admin) {
            // the node's code says what went wrong; a code this build does not know falls back on the status
            return ErrorCode.of(admin.code()).map(ErrorCode::exitCode)
                    .orElseGet(() -> ErrorCode.exitCodeOf(admin.status()));
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
