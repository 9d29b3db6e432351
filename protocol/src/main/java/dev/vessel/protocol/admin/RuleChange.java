package dev.vessel.protocol.admin;

/**
 * {@code POST /v1/admin/rules/{service}}: a new revision of the service's rollout rule, either {@code yaml} (the
 * rule's text) or the text of revision {@code rollbackTo}; checked by the node first, written only when valid.
 *
 * @param expectedRevision the revision the change was decided on (0: no rule yet), or null for whatever is current
 * @param dryRun           check and show, write nothing
 */
public record RuleChange(String yaml, Long rollbackTo, Long expectedRevision, String message, String by,
        Boolean dryRun) {
    public RuleChange asDryRun() {
        return new RuleChange(yaml, rollbackTo, expectedRevision, message, by, true);
    }
}
