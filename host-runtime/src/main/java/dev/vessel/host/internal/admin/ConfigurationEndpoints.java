package dev.vessel.host.internal.admin;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.ConfigurationChange;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.internal.RecordJson;
import dev.vessel.host.internal.release.ConfigurationCheck;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.ReleaseStore;
import java.util.ArrayList;
import java.util.List;
import dev.vessel.registry.RegistryLayout;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /v1/admin/configurations/{service}}: a new configuration revision of the service, conditional on
 * the revision the caller made it from, or a rollback (a new revision with an earlier one's configuration);
 * with {@code dryRun}, validated and answered as it would be written, and not written.
 */
final class ConfigurationEndpoints {
    private final ConfigurationStore configurations;
    private final DeploymentStore deployments;
    private final ReleaseStore releases;

    ConfigurationEndpoints(ConfigurationStore configurations, DeploymentStore deployments, ReleaseStore releases) {
        this.configurations = configurations;
        this.deployments = deployments;
        this.releases = releases;
    }

    void change(String service, Request request, Response response, Callback callback) throws Exception {
        RegistryLayout.requireName(service, "service");
        ConfigurationChange body = AdminRequests.check(AdminRequests.read(request, ConfigurationChange.class));
        String by = body.by() == null ? "unknown" : body.by();
        long expected = body.expectedRevision() == null ? -1 : body.expectedRevision();
        ConfigurationRevision source = body.rollbackTo() != null ? configurations.revision(service, body.rollbackTo())
                : null;
        Map<String, Map<String, Object>> pids = source != null ? source.pids() : body.pids();
        List<ConfigurationRevision.Target> targets = source != null ? source.targets()
                : body.targets() == null ? List.of() : AdminRequests.targets(body);
        // the node reads with secrets: a value the client saw as *** and left alone keeps what it was
        ConfigurationRevision current = configurations.read(service);
        ConfigurationRevision candidate = new ConfigurationRevision(service, 0, 0, pids, by, 0, "", targets,
                source != null ? source.secrets() : Map.of()).keepingSecretsOf(current, secretKeys(service, body));
        pids = candidate.pids();
        targets = candidate.targets();
        refuseMisfits(service, candidate);
        if (Boolean.TRUE.equals(body.dryRun())) {
            // validated, not written: what the revision would be
            JsonResponses.json(response, callback, 200, new AdminAnswers.ConfigurationChanged<>(true,
                    new ConfigurationRevision(service, current.revision() + 1, current.revision(), pids, by,
                            System.currentTimeMillis(), body.message(), targets, candidate.secrets()).masked()));
            return;
        }
        ConfigurationRevision result = body.rollbackTo() != null
                ? configurations.rollback(service, body.rollbackTo(), expected, by)
                : configurations.write(service, expected, pids, targets, candidate.secrets(), by, body.message());
        // never a secret value in an answer
        JsonResponses.json(response, callback, 200, new AdminAnswers.ConfigurationChanged<>(null, result.masked()));
    }

    /** Keys the client marks secret, and every key any release of the service declares a Password. */
    private Map<String, List<String>> secretKeys(String service, ConfigurationChange body) {
        Map<String, List<String>> keys = new java.util.TreeMap<>();
        if (body.secrets() != null) {
            body.secrets().forEach((pid, list) -> keys.put(pid, new ArrayList<>(list)));
        }
        for (dev.vessel.registry.ReleaseManifest manifest : releases.list(service)) {
            for (dev.vessel.registry.ConfigurationSchema schema : manifest.configuration()) {
                for (dev.vessel.registry.ConfigurationSchema.Attribute attribute : schema.attributes()) {
                    if ("Password".equals(attribute.type())) {
                        keys.computeIfAbsent(schema.pid(), p -> new ArrayList<>()).add(attribute.id());
                    }
                }
            }
        }
        return keys;
    }

    /** Validated before it goes online: against the Metatype of every release of the service that is deployed. */
    private void refuseMisfits(String service, ConfigurationRevision candidate) {
        List<String> problems = new ArrayList<>();
        for (DeployedVersion version : deployments.read(service).versions()) {
            releases.get(service, version.version()).ifPresent(manifest -> problems.addAll(ConfigurationCheck.problems(
                    candidate, org.osgi.framework.Version.parseVersion(version.version()), service + " "
                            + version.version(), manifest.configuration())));
        }
        if (!problems.isEmpty()) {
            throw new ApiError(ErrorCode.CONFIGURATION_REFUSED, "nothing was written: " + String.join("; ", problems));
        }
    }

    /** {@code GET configurations/{service}}: the current revision, every secret value shown as {@code ***}. */
    void current(String service, Response response, Callback callback) {
        RegistryLayout.requireName(service, "service");
        JsonResponses.json(response, callback, 200, RecordJson.write(configurations.read(service).masked()));
    }

    /** {@code GET configurations/{service}/history}: every revision, oldest first, secrets masked. */
    void history(String service, Response response, Callback callback) {
        RegistryLayout.requireName(service, "service");
        List<ConfigurationRevision> history = configurations.history(service).stream()
                .map(ConfigurationRevision::masked).toList();
        JsonResponses.json(response, callback, 200, new AdminAnswers.ConfigurationHistory<>(history));
    }
}
