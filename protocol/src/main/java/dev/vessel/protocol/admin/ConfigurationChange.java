package dev.vessel.protocol.admin;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/admin/configurations/{service}}: a new configuration revision, either {@code pids} (the whole
 * configuration, PID to properties) with its {@code targets}, or the configuration of revision {@code rollbackTo}.
 *
 * @param dryRun  validate and show, write nothing
 * @param secrets per PID, the keys whose values are secret (never shown, stored apart)
 */
public record ConfigurationChange(Map<String, Map<String, Object>> pids, List<ConfigurationTarget> targets,
        Long rollbackTo, Long expectedRevision, String message, String by, Boolean dryRun,
        Map<String, List<String>> secrets) {
    public ConfigurationChange(Map<String, Map<String, Object>> pids, List<ConfigurationTarget> targets,
            Long rollbackTo, Long expectedRevision, String message, String by) {
        this(pids, targets, rollbackTo, expectedRevision, message, by, null, null);
    }

    public ConfigurationChange asDryRun() {
        return new ConfigurationChange(pids, targets, rollbackTo, expectedRevision, message, by, true, secrets);
    }

    /** The same, with these keys of each PID marked secret. */
    public ConfigurationChange withSecrets(Map<String, List<String>> keys) {
        return new ConfigurationChange(pids, targets, rollbackTo, expectedRevision, message, by, dryRun, keys);
    }
}
