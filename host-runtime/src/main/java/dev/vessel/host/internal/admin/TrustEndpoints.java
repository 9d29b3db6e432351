package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.TrustChange;
import dev.vessel.registry.AccessToken;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.ReleaseSignature;
import dev.vessel.registry.SigningKeys;
import dev.vessel.registry.Text;
import dev.vessel.registry.TrustPolicy;
import dev.vessel.registry.TrustStore;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /v1/admin/trust} (the signer keys and modes), {@code POST /v1/admin/trust} (add or revoke a key, set
 * a mode: admins only) and {@code PUT /v1/admin/signatures/{service}/{version}} (a release's signature, stored
 * before the release: admins and the service's deployers). A change is in the registry when the answer comes, and
 * every node reads the policy before it starts a release.
 */
final class TrustEndpoints {
    private final TrustStore store;
    private final DeploymentStore deployments;

    TrustEndpoints(TrustStore store, DeploymentStore deployments) {
        this.store = store;
        this.deployments = deployments;
    }

    void policy(Response response, Callback callback) {
        TrustPolicy policy = store.policy();
        JsonResponses.json(response, callback, 200, new AdminAnswers.Trust<>(policy, revokedInUse(policy)));
    }

    void signatures(String service, Response response, Callback callback) {
        JsonResponses.json(response, callback, 200, new AdminAnswers.Signatures<>(store.signatures(service),
                store.policy()));
    }

    /** Deployed versions whose signature is by a revoked key, for whoever reads the policy. */
    private List<String> revokedInUse(TrustPolicy policy) {
        List<String> found = new ArrayList<>();
        if (policy.keys().stream().allMatch(TrustPolicy.TrustedKey::valid)) {
            return found;
        }
        for (String service : deployments.services()) {
            for (DeployedVersion deployed : deployments.read(service).versions()) {
                store.signature(service, deployed.version()).flatMap(signature -> policy.key(signature.keyId()))
                        .filter(key -> !key.valid())
                        .ifPresent(key -> found.add(service + " " + deployed.version() + " (signed by revoked key "
                                + key.id() + ")"));
            }
        }
        return found;
    }

    void change(Request request, Response response, Callback callback) throws Exception {
        TrustChange body = AdminRequests.read(request, TrustChange.class);
        TrustPolicy changed;
        try {
            changed = store.update(policy -> switch (body.action() == null ? "" : body.action()) {
                case "add-key" -> {
                    if (body.publicKey() == null || body.services() == null) {
                        throw new IllegalArgumentException("add-key needs publicKey and services");
                    }
                    String id = SigningKeys.id(SigningKeys.publicKey(body.publicKey()));
                    yield policy.withKey(new TrustPolicy.TrustedKey(id, body.publicKey().trim(),
                            AccessToken.requireServices(body.services()), body.by() == null ? "unknown" : body.by(),
                            System.currentTimeMillis(), null));
                }
                case "revoke-key" -> policy.withRevoked(body.keyId(), System.currentTimeMillis());
                case "mode" -> policy.withMode(body.service(), TrustPolicy.Mode.of(body.mode()));
                default -> throw new IllegalArgumentException("action is add-key, revoke-key or mode; got "
                        + Text.quote(body.action()));
            });
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage() + "; nothing was changed");
        }
        JsonResponses.json(response, callback, 200, new AdminAnswers.Trust<>(changed, revokedInUse(changed)));
    }

    void sign(String service, String version, Request request, Response response, Callback callback)
            throws Exception {
        ReleaseSignature signature;
        try {
            signature = AdminRequests.read(request, ReleaseSignature.class);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("not a release signature: " + e.getMessage());
        }
        if (!signature.service().equals(service) || !signature.version().equals(version)) {
            throw ApiError.badRequest("this signature is of " + signature.service() + " " + signature.version()
                    + ", not of " + service + " " + version);
        }
        try {
            store.putSignature(signature);
        } catch (IllegalArgumentException e) {
            throw new ApiError(ErrorCode.CONFLICT, e.getMessage());
        }
        JsonResponses.json(response, callback, 200, signature);
    }
}
