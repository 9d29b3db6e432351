package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.TokenRequest;
import dev.vessel.registry.AccessToken;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.TokenStore;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /v1/admin/tokens} issues a scoped token (its text is in this answer and nowhere else, the registry
 * keeps its verifier), {@code GET /v1/admin/tokens} lists their records, {@code DELETE /v1/admin/tokens/{id}}
 * revokes one. The handler lets only admins here.
 */
final class TokenEndpoints {
    private final TokenStore store;

    TokenEndpoints(TokenStore store) {
        this.store = store;
    }

    void handle(String[] path, String method, Request request, Response response, Callback callback)
            throws Exception {
        if (path.length == 1 && HttpMethod.POST.is(method)) {
            issue(request, response, callback);
        } else if (path.length == 1 && HttpMethod.GET.is(method)) {
            JsonResponses.json(response, callback, 200, new AdminAnswers.Tokens<>(store.list()));
        } else if (path.length == 2 && HttpMethod.DELETE.is(method)) {
            RegistryLayout.requireName(path[1], "token id");
            JsonResponses.json(response, callback, 200, new AdminAnswers.TokenRevoked(path[1],
                    store.revoke(path[1])));
        } else {
            throw new ApiError(ErrorCode.NOT_FOUND, "tokens are issued with POST /v1/admin/tokens, listed with GET"
                    + " and revoked with DELETE /v1/admin/tokens/{id}");
        }
    }

    private void issue(Request request, Response response, Callback callback) throws Exception {
        TokenRequest body = AdminRequests.read(request, TokenRequest.class);
        AccessToken.Issued issued;
        try {
            AccessToken.Role role = AccessToken.Role.of(body.role());
            if (role != AccessToken.Role.DEPLOYER && body.services() != null && !body.services().equals("*")) {
                throw new IllegalArgumentException("only a deployer's token is limited to services; an " +
                        role.name().toLowerCase(java.util.Locale.ROOT) + " token is for every service");
            }
            issued = AccessToken.issue(role, body.services(), body.description(), body.by());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        store.create(issued.record());
        JsonResponses.json(response, callback, 200, new AdminAnswers.TokenIssued<>(issued.token(),
                issued.record()));
    }
}
