package dev.vessel.protocol.admin;

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
 */
public record DeploymentChange(String action, String version, Integer weight, String nodes, Long expectedRevision,
        Long toRevision, String by, Integer maxConcurrency) {
    public DeploymentChange(String action, String version, Integer weight, String nodes, Long expectedRevision,
            Long toRevision, String by) {
        this(action, version, weight, nodes, expectedRevision, toRevision, by, null);
    }
}
