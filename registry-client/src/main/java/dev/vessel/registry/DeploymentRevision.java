package dev.vessel.registry;

import java.util.List;

/**
 * One past state of a deployment, kept for {@code vessel history} and {@code vessel rollback}.
 *
 * @param revision revision number
 * @param versions the desired versions at that revision
 * @param action   what produced it ({@code deploy greeter 1.1.0}, {@code rollback to 3}, ...)
 * @param by       who
 * @param at       when, epoch milliseconds
 */
public record DeploymentRevision(long revision, List<DeployedVersion> versions, String action, String by, long at) {
    public DeploymentRevision {
        versions = List.copyOf(versions);
        // bounded here whatever wrote it (the admin API refuses such values with an error of its own), so a
        // stored history always reads back and always fits its znode
        action = Text.bounded(action, Text.MAX_ACTION);
        by = Text.bounded(by == null || by.isBlank() ? "unknown" : by, Text.MAX_AUTHOR);
    }
}
