package dev.vessel.protocol.admin;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/admin/rollouts/{service}}: start a release's rollout under a rule, or act on the one running.
 *
 * @param action     {@code start}, {@code pause}, {@code resume}, {@code promote} (to the next step now) or
 *                   {@code abort} (retire the release)
 * @param version    for {@code start}: the release to roll out
 * @param yaml       for {@code start}: the rule's text; null for the service's stored rule
 * @param ruleSource for {@code start}: what to call the rule in messages (its file name)
 * @param nodes      for {@code start}: the node selector, when the rule does not name nodes (default every node)
 * @param dryRun     for {@code start}: check everything and answer the plan, write nothing
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutAction(String action, String version, String yaml, String ruleSource, String nodes,
        Integer maxConcurrency, Double cpu, Double cpuLimit, Boolean dryRun, String by) {
    public static RolloutAction act(String action, String by) {
        return new RolloutAction(action, null, null, null, null, null, null, null, null, by);
    }
}
