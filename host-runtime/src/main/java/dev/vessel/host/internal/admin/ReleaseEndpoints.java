package dev.vessel.host.internal.admin;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.CreateRelease;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ReleaseStore;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code POST /v1/admin/releases}: validates uploaded jars as a release and stores its manifest. */
final class ReleaseEndpoints {
    private final ReleaseValidator validator;
    private final ReleaseStore releases;

    ReleaseEndpoints(ReleaseValidator validator, ReleaseStore releases) {
        this.validator = validator;
        this.releases = releases;
    }

    void release(Request request, Response response, Callback callback) throws Exception {
        CreateRelease body = AdminRequests.check(AdminRequests.read(request, CreateRelease.class));
        List<ReleaseValidator.Upload> uploads = body.artifacts().stream()
                .map(a -> new ReleaseValidator.Upload(a.sha256(), a.fileName() == null ? a.sha256() : a.fileName()))
                .toList();
        ReleaseValidator.Validated validated = validator.validate(uploads, body.service(), body.force(),
                body.by() == null ? "unknown" : body.by());
        boolean created = !body.dryRun() && releases.create(validated.manifest());
        JsonResponses.json(response, callback, 200, new AdminAnswers.ReleaseCreated<>(validated.manifest(), created,
                body.dryRun()));
    }

}
