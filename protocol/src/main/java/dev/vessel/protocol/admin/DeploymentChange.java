package dev.vessel.protocol.admin;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/admin/deployments/{service}}: one change of a service's desired state. A null field is not
 * given: the node uses its default.
 *
 * @param action           {@code deploy}, {@code promote}, {@code retire}, {@code retire-older} or {@code rollback}
 * @param weight           for {@code deploy}: 1-100 (default 100)
 * @param nodes            for {@code deploy}: the node selector (default every node)
 * @param expectedRevision the revision the change was decided on; another one is a conflict (default: any)
 * @param toRevision       for {@code rollback}: the revision whose versions come back (default the one before)
 * @param maxConcurrency   for {@code deploy}: calls one container runs at once (default the node's)
 * @param cpu              for {@code deploy}: one container's CPU share in cores (default 1, as every container)
 * @param cpuLimit         for {@code deploy}: the cores one container may use at most (default the node's cores less
 *                         its reserve)
 *                         (both left out of the JSON when not given, so a node that predates them reads the rest)
 */
public record DeploymentChange(String action, String version, Integer weight, String nodes, Long expectedRevision,
        Long toRevision, String by, Integer maxConcurrency,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double cpu,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double cpuLimit) {
    public DeploymentChange(String action, String version, Integer weight, String nodes, Long expectedRevision,
            Long toRevision, String by, Integer maxConcurrency) {
        this(action, version, weight, nodes, expectedRevision, toRevision, by, maxConcurrency, null, null);
    }

    public DeploymentChange(String action, String version, Integer weight, String nodes, Long expectedRevision,
            Long toRevision, String by) {
        this(action, version, weight, nodes, expectedRevision, toRevision, by, null);
    }
}
