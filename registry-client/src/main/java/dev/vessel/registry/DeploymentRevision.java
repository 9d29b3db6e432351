package dev.vessel.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One past state of a deployment, kept for {@code vessel history} and {@code vessel rollback}.
 *
 * @param revision revision number
 * @param versions the desired versions at that revision
 * @param action   what produced it ({@code deploy greeter 1.1.0}, {@code rollback to 3}, ...)
 * @param by       who
 * @param at       when, epoch milliseconds
 * @param withdrawn versions this revision took away at once (a rollout rolled back): the nodes refuse calls to them
 *                 from the moment they see it, so that callers retry on the versions that remain, instead of
 *                 serving them through the drain delay as a retired version is; calls already running finish
 */
public record DeploymentRevision(long revision, List<DeployedVersion> versions, String action, String by, long at,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> withdrawn) {
    public DeploymentRevision(long revision, List<DeployedVersion> versions, String action, String by, long at) {
        this(revision, versions, action, by, at, List.of());
    }

    public DeploymentRevision {
        versions = List.copyOf(versions);
        withdrawn = withdrawn == null ? List.of() : List.copyOf(withdrawn);
        // bounded here whatever wrote it (the admin API refuses such values with an error of its own), so a
        // stored history always reads back and always fits its znode
        action = Text.bounded(action, Text.MAX_ACTION);
        by = Text.bounded(by == null || by.isBlank() ? "unknown" : by, Text.MAX_AUTHOR);
    }
}
