package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.rollout.InvalidRuleException;
import dev.vessel.host.internal.rollout.RolloutControl;
import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.host.rollout.RolloutRuleReader;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.RuleChange;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.RuleRevision;
import dev.vessel.registry.RuleStore;
import dev.vessel.registry.Text;
import dev.vessel.registry.internal.RecordJson;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /v1/admin/rules/{service}}: the service's rollout rule. A new revision (a rule's text, or a rollback to an
 * earlier revision's) is checked by {@link RolloutRuleReader} first and written only when valid, conditional on the
 * revision the caller decided on; with {@code dryRun} it is checked and shown, not written.
 */
final class RuleEndpoints {
    private final RuleStore rules;
    private final DeploymentStore deployments;

    RuleEndpoints(RuleStore rules, DeploymentStore deployments) {
        this.rules = rules;
        this.deployments = deployments;
    }

    void change(String service, Request request, Response response, Callback callback) throws Exception {
        RegistryLayout.requireName(service, "service");
        RuleChange body = AdminRequests.read(request, RuleChange.class);
        if ((body.yaml() == null) == (body.rollbackTo() == null)) {
            throw ApiError.badRequest("give the rule's text (yaml) or the revision to roll back to (rollbackTo),"
                    + " one of them");
        }
        String by = body.by() == null ? "unknown" : Text.requirePrintable(body.by(), "by", Text.MAX_AUTHOR);
        String message = body.message() == null ? (body.rollbackTo() == null ? "set" : null)
                : Text.requirePrintable(body.message(), "message", Text.MAX_ACTION);
        String yaml = body.yaml() != null ? body.yaml() : rules.revision(service, body.rollbackTo()).yaml();
        RolloutRule rule;
        try {
            rule = RolloutRuleReader.read(yaml, "the rule of " + service);
        } catch (InvalidRuleException e) {
            throw new ApiError(ErrorCode.RULE_REFUSED, "nothing was written: " + String.join("; ", e.problems()));
        }
        // its Prometheus queries, on the newest version the service runs now (none: nothing to ask about yet)
        java.util.Optional<String> running = deployments.read(service).versions().stream()
                .map(v -> org.osgi.framework.Version.parseVersion(v.version()))
                .max(java.util.Comparator.naturalOrder()).map(Object::toString);
        if (running.isPresent()) {
            try {
                RolloutControl.checkQueries(rule, service, running.get(), "the rule of " + service);
            } catch (RolloutControl.Refused e) {
                throw new ApiError(ErrorCode.RULE_REFUSED, e.getMessage());
            }
        }
        long expected = body.expectedRevision() == null ? -1 : body.expectedRevision();
        if (Boolean.TRUE.equals(body.dryRun())) {
            long next = rules.read(service).map(RuleRevision::revision).orElse(0L) + 1;
            JsonResponses.json(response, callback, 200, new AdminAnswers.RuleChanged<>(true,
                    new RuleRevision(service, next, yaml, by, System.currentTimeMillis(), message)));
            return;
        }
        RuleRevision written = body.rollbackTo() != null ? rules.rollback(service, body.rollbackTo(), expected, by)
                : rules.write(service, expected, yaml, by, message);
        JsonResponses.json(response, callback, 200, new AdminAnswers.RuleChanged<>(null, written));
    }

    /** {@code GET rules/{service}}: the current revision; 404 when the service has no rule. */
    void current(String service, Response response, Callback callback) {
        RegistryLayout.requireName(service, "service");
        RuleRevision current = rules.read(service).orElseThrow(() -> new ApiError(ErrorCode.NOT_FOUND, service
                + " has no rollout rule (vessel rule set " + service + " FILE gives it one)"));
        JsonResponses.json(response, callback, 200, RecordJson.write(current));
    }

    /** {@code GET rules/{service}/history}: every revision, oldest first. */
    void history(String service, Response response, Callback callback) {
        RegistryLayout.requireName(service, "service");
        JsonResponses.json(response, callback, 200, new AdminAnswers.RuleHistory<>(rules.history(service)));
    }
}
