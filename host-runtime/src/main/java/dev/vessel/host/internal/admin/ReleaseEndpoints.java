package dev.vessel.host.internal.admin;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.CreateRelease;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.registry.Text;
import dev.vessel.registry.TrustPolicy;
import dev.vessel.registry.TrustStore;
import java.util.List;
import java.util.function.Predicate;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code POST /v1/admin/releases}: validates uploaded jars as a release and stores its manifest. */
final class ReleaseEndpoints {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReleaseEndpoints.class);

    private final ReleaseValidator validator;
    private final ReleaseStore releases;

    private final TrustStore trust;

    ReleaseEndpoints(ReleaseValidator validator, ReleaseStore releases, TrustStore trust) {
        this.validator = validator;
        this.releases = releases;
        this.trust = trust;
    }

    /** @param mayCreate whether the caller may create a release of a service (a deployer token: its services) */
    void release(Request request, Response response, Callback callback, Predicate<String> mayCreate)
            throws Exception {
        CreateRelease body = AdminRequests.check(AdminRequests.read(request, CreateRelease.class));
        if (body.service() != null && !body.service().isBlank() && !mayCreate.test(body.service())) {
            throw forbidden(body.service());
        }
        List<ReleaseValidator.Upload> uploads = body.artifacts().stream()
                .map(a -> new ReleaseValidator.Upload(a.sha256(), a.fileName() == null ? a.sha256() : a.fileName()))
                .toList();
        ReleaseValidator.Validated validated = validator.validate(uploads, body.service(), body.force(),
                body.by() == null ? "unknown" : body.by());
        if (!mayCreate.test(validated.manifest().service())) {
            throw forbidden(validated.manifest().service());
        }
        TrustPolicy.Verdict verdict = trust.check(validated.manifest());
        if (verdict.refused()) {
            throw new ApiError(ErrorCode.SIGNATURE_REFUSED, verdict.problem() + ": the signature policy of "
                    + validated.manifest().service() + " is require; sign the release (vessel release sign) and"
                    + " deploy it with its signature. Nothing was stored");
        }
        if (verdict.problem() != null && verdict.mode() == TrustPolicy.Mode.WARN) {
            LOG.warn("{} (the signature policy of {} is warn: stored anyway)", verdict.problem(),
                    validated.manifest().service());
        }
        boolean created = !body.dryRun() && releases.create(validated.manifest());
        JsonResponses.json(response, callback, 200, new AdminAnswers.ReleaseCreated<>(validated.manifest(), created,
                body.dryRun()));
    }

    private static ApiError forbidden(String service) {
        return new ApiError(ErrorCode.FORBIDDEN, "this token may not release " + Text.quote(service)
                + ": it deploys other services; nothing was stored");
    }
}
