package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.artifact.ArtifactPresence;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.artifact.TokenBucket;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.internal.RecordJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /v1/admin/...}: artifacts, releases and deployments. Every request needs {@code Authorization: Bearer
 * <token>}: 401 without, 403 with a wrong one; a refused or unauthenticated request changes nothing. Reading an
 * artifact also works with a peer's {@link ArtifactGrant}.
 *
 * <pre>
 * PUT  /v1/admin/artifacts/{sha256}        store a jar (digest-checked, content-addressed)
 * GET  /v1/admin/artifacts/{sha256}        read it back (peers fetch through this); HEAD: does it exist
 * POST /v1/admin/releases                  validate uploaded jars as a release and store its manifest
 * POST /v1/admin/deployments/{service}     deploy | promote | retire | retire-older | rollback
 * POST /v1/admin/configurations/{service}  a new configuration revision, or a rollback to an earlier one
 * GET  /v1/admin/cluster/status            every node and container as the registry has them (vessel status)
 * GET  /v1/admin/deployments/{service}     the desired state with its history (vessel history)
 * GET  /v1/admin/releases[/{service}]      release manifests, of one service or all (vessel releases)
 * </pre>
 */
public final class AdminHandler implements Request.Handler {
    public static final String PREFIX = "/v1/admin/";

    private final byte[] token;
    private final ArtifactGrant grants;
    private final ArtifactEndpoints artifacts;
    private final ReleaseEndpoints releases;
    private final DeploymentEndpoints deployments;
    private final ConfigurationEndpoints configurations;
    private final java.util.function.Supplier<dev.vessel.registry.ClusterOverview> overview;
    private final ReleaseStore releaseStore;
    private final DeploymentStore deploymentStore;

    public AdminHandler(String token, ArtifactGrant grants, ArtifactStore store, ArtifactPresence presence, TokenBucket serveRate,
            LongAdder servedBytes, ReleaseValidator validator, ReleaseStore releaseStore,
            DeploymentStore deploymentStore, ConfigurationStore configurationStore,
            java.util.function.Supplier<dev.vessel.registry.ClusterOverview> overview) {
        this.overview = overview;
        this.releaseStore = releaseStore;
        this.deploymentStore = deploymentStore;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.grants = grants;
        this.artifacts = new ArtifactEndpoints(store, presence, serveRate, servedBytes);
        this.releases = new ReleaseEndpoints(validator, releaseStore);
        this.deployments = new DeploymentEndpoints(releaseStore, deploymentStore);
        this.configurations = new ConfigurationEndpoints(configurationStore, deploymentStore, releaseStore);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!authorized(request, response, callback)) {
            return true;
        }
        String[] path = Request.getPathInContext(request).substring(PREFIX.length()).split("/", -1);
        String method = request.getMethod();
        if (path.length >= 2 && path[0].equals("artifacts")) {
            artifacts.handle(java.util.Arrays.copyOfRange(path, 1, path.length), method, request, response, callback);
        } else if (path.length == 1 && path[0].equals("releases") && HttpMethod.POST.is(method)) {
            releases.release(request, response, callback);
        } else if (path.length == 2 && path[0].equals("deployments") && HttpMethod.POST.is(method)) {
            deployments.deployment(path[1], request, response, callback);
        } else if (path.length == 2 && path[0].equals("configurations") && HttpMethod.POST.is(method)) {
            configurations.change(path[1], request, response, callback);
        } else if (path.length == 2 && path[0].equals("cluster") && path[1].equals("status")
                && HttpMethod.GET.is(method)) {
            JsonResponses.json(response, callback, 200, overview.get());
        } else if (path.length == 2 && path[0].equals("deployments") && HttpMethod.GET.is(method)) {
            JsonResponses.json(response, callback, 200, RecordJson.write(deploymentStore.read(path[1])));
        } else if ((path.length == 1 || path.length == 2) && path[0].equals("releases") && HttpMethod.GET.is(method)) {
            List<ReleaseManifest> manifests = new ArrayList<>();
            for (String service : path.length == 2 ? List.of(path[1]) : releaseStore.services()) {
                manifests.addAll(releaseStore.list(service));
            }
            JsonResponses.json(response, callback, 200, RecordJson.write(Map.of("releases", manifests)));
        } else {
            JsonResponses.error(response, callback, 404, "NOT_FOUND", "no admin resource " + method + " "
                    + Request.getPathInContext(request));
        }
        return true;
    }

    private static boolean isArtifactRead(Request request) {
        String path = Request.getPathInContext(request).substring(PREFIX.length());
        return path.startsWith("artifacts/") && path.indexOf('/', "artifacts/".length()) < 0
                && (HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod()));
    }

    /**
     * The admin token allows everything; an {@link ArtifactGrant} (what peers fetch with) only reading artifacts.
     */
    private boolean authorized(Request request, Response response, Callback callback) {
        if (token == null) {
            JsonResponses.error(response, callback, 403, "ADMIN_DISABLED",
                    "this node has no admin token, so its admin API is disabled");
            return false;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header != null && header.startsWith(ArtifactGrant.SCHEME)) {
            if (grants != null && grants.accepts(header) && isArtifactRead(request)) {
                return true;
            }
            JsonResponses.error(response, callback, 403, "FORBIDDEN", "an artifact read grant reads artifacts"
                    + " (GET and HEAD) while it is valid, and nothing else");
            return false;
        }
        if (header == null || !header.startsWith("Bearer ")) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            JsonResponses.error(response, callback, 401, "UNAUTHORIZED",
                    "admin requests need the header Authorization: Bearer <token>");
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) { // constant time: no timing hints about the token
            JsonResponses.error(response, callback, 403, "FORBIDDEN", "wrong admin token");
            return false;
        }
        return true;
    }

}
