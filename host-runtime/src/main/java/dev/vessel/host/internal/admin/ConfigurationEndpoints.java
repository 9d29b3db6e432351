package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.RegistryLayout;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /v1/admin/configurations/{service}}: a new configuration revision of the service, conditional on
 * the revision the caller made it from, or a rollback (a new revision with an earlier one's configuration).
 */
final class ConfigurationEndpoints {
    private final ConfigurationStore configurations;

    ConfigurationEndpoints(ConfigurationStore configurations) {
        this.configurations = configurations;
    }

    void change(String service, Request request, Response response, Callback callback) throws Exception {
        RegistryLayout.requireName(service, "service");
        AdminRequests.ChangeConfiguration body = AdminRequests.read(request, AdminRequests.ChangeConfiguration.class);
        String by = body.by() == null ? "unknown" : body.by();
        long expected = body.expectedRevision() == null ? -1 : body.expectedRevision();
        ConfigurationRevision result = body.rollbackTo() != null
                ? configurations.rollback(service, body.rollbackTo(), expected, by)
                : configurations.write(service, expected, body.pids(), by, body.message());
        JsonResponses.json(response, callback, 200, Map.of("configuration", result));
    }
}
