package dev.vessel.host.internal.admin;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.host.ViewerToken;
import dev.vessel.host.internal.artifact.ArtifactDistribution;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.GatedHandler;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.AccessToken;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RegistryException;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.RetryBudget;
import dev.vessel.registry.RuleStore;
import dev.vessel.registry.Text;
import dev.vessel.registry.TokenStore;
import dev.vessel.registry.TrustStore;
import dev.vessel.registry.internal.RecordJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
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
 * GET  /v1/admin/cluster/records           node records, node statuses and instances as stored (vessel config status)
 * GET  /v1/admin/configurations/{service} the service's current configuration, secret values masked
 * GET  /v1/admin/configurations/{service}/history  every revision, oldest first, secret values masked
 * GET  /v1/admin/deployments/{service}     the desired state with its history (vessel history)
 * GET  /v1/admin/releases[/{service}]      release manifests, of one service or all (vessel releases)
 * GET  /v1/admin/instances/{service}       the service's registered instances (vessel call routes with them)
 * GET  /v1/admin/rollouts/{service}        how far the cluster is from a revision (?revision=N) of the service
 * POST /v1/admin/rollouts/{service}        start a release's rollout under a rule; pause, resume, promote, abort it
 * GET  /v1/admin/rollouts/{service}/analysis  the rollout under a rule: rule, step, every evaluation
 * GET  /v1/admin/calls?service=S&windowMs=W  this node's calls of S's versions over the window (the driver asks)
 * POST /v1/admin/rules/{service}          a new revision of the service's rollout rule (checked first), or a rollback
 * GET  /v1/admin/rules/{service}[/history] the service's rollout rule, or every revision of it
 * GET  /v1/admin/dashboard                 everything the dashboard at /ui/ shows
 * POST /v1/admin/quorum/recover            re-found the quorum from this node's member after it lost its majority
 * POST|GET /v1/admin/tokens, DELETE .../{id}  issue, list, revoke scoped tokens (admins)
 * GET|POST /v1/admin/trust                 the trust in release signers; a change of it (admins)
 * PUT  /v1/admin/signatures/{service}/{version}  a release's signature, before the release is created
 * GET  /v1/admin/signatures/{service}    the service's release signatures, with the policy to read them against
 * </pre>
 *
 * <p>Everything but the artifacts, the dashboard and the quorum recovery reads or writes the registry: without a registry session it is
 * answered {@code 503 REGISTRY_UNAVAILABLE} within {@link ClusterView#RECONNECT_WAIT}, and nothing changes.
 *
 * <p>The cluster's {@link ViewerToken viewer token} is accepted for the reads ({@code cluster/status},
 * {@code deployments/{service}}, {@code instances/{service}}, {@code rollouts/{service}[/analysis]}, {@code calls}, {@code releases},
 * {@code dashboard}) and refused
 * with 403 for everything else.
 */
public final class AdminHandler implements GatedHandler {
    public static final String PREFIX = "/v1/admin/";
    /**
     * How long a request's registry operations retry before they fail: a server failover is ridden out, a registry
     * gone away mid-request is answered in seconds instead of after Curator's tens of seconds of retries.
     */
    static final java.time.Duration REGISTRY_BUDGET = java.time.Duration.ofSeconds(5);

    private final byte[] token;
    private final ArtifactGrant grants;
    private final ArtifactEndpoints artifacts;
    private final ReleaseEndpoints releases;
    private final DeploymentEndpoints deployments;
    private final ConfigurationEndpoints configurations;
    private final ClusterView cluster;
    private final ReleaseStore releaseStore;
    private final DeploymentStore deploymentStore;
    private final byte[] viewerToken;
    private final DashboardEndpoint dashboard;
    private final QuorumRecoveryEndpoint quorumRecovery;
    private final RuleEndpoints rules;
    private final RolloutEndpoints rollouts;
    private final ScopedTokens scopedTokens;
    private final TokenEndpoints tokens;
    private final TrustEndpoints trust;

    /** Who a request's credentials say it comes from. */
    private enum Access { ADMIN, VIEWER, DEPLOYER, PEER, REFUSED }

    /** Where {@link #admits} leaves what the request may do, for {@link #handle} on the bulkhead's thread. */
    private static final String ACCESS = AdminHandler.class.getName() + ".access";
    /** The scoped token a request came with, for a deployer's checks. */
    private static final String SCOPE = AdminHandler.class.getName() + ".scope";

    public AdminHandler(String token, ArtifactGrant grants, ArtifactDistribution artifacts, ReleaseValidator validator,
            ReleaseStore releaseStore,
            DeploymentStore deploymentStore, ConfigurationStore configurationStore,
            RuleStore ruleStore, ClusterView cluster, DashboardEndpoint dashboard,
            QuorumRecoveryEndpoint quorumRecovery, RolloutEndpoints rollouts, ScopedTokens scopedTokens,
            TokenStore tokenStore, TrustStore trustStore) {
        this.trust = new TrustEndpoints(trustStore, deploymentStore);
        this.rollouts = rollouts;
        this.scopedTokens = scopedTokens;
        this.tokens = new TokenEndpoints(tokenStore);
        this.cluster = cluster;
        this.quorumRecovery = quorumRecovery;
        this.dashboard = dashboard;
        this.releaseStore = releaseStore;
        this.deploymentStore = deploymentStore;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.viewerToken = token == null ? null : ViewerToken.of(token).getBytes(StandardCharsets.UTF_8);
        this.grants = grants;
        this.artifacts = new ArtifactEndpoints(artifacts.store(), artifacts.presence(), artifacts.serveRate(),
                artifacts.bytesServed());
        this.releases = new ReleaseEndpoints(validator, releaseStore, trustStore);
        this.deployments = new DeploymentEndpoints(releaseStore, deploymentStore);
        this.configurations = new ConfigurationEndpoints(configurationStore, deploymentStore, releaseStore);
        this.rules = new RuleEndpoints(ruleStore, deploymentStore);
    }

    /** Authenticates on the request thread: a request without a valid token never takes an admin place. */
    @Override
    public boolean admits(Request request, Response response, Callback callback) {
        Access access = authorize(request, response, callback);
        request.setAttribute(ACCESS, access);
        return access != Access.REFUSED;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Access access = request.getAttribute(ACCESS) instanceof Access admitted ? admitted
                : authorize(request, response, callback);
        if (access == Access.REFUSED) {
            return true;
        }
        String[] path = Request.getPathInContext(request).substring(PREFIX.length()).split("/", -1);
        String method = request.getMethod();
        if (access == Access.VIEWER && !isRead(path, method)) {
            JsonResponses.error(response, callback, ErrorCode.FORBIDDEN, "the viewer token reads the cluster's state"
                    + " (GET cluster/status, cluster/records, deployments, instances, rollouts, calls, releases,"
                    + " configurations, rules, dashboard) and changes nothing");
            return true;
        }
        AccessToken scope = request.getAttribute(SCOPE) instanceof AccessToken token ? token : null;
        if (access == Access.DEPLOYER && !deployerMay(scope, path, method, response, callback)) {
            return true;
        }
        RetryBudget.start(REGISTRY_BUDGET);
        try {
            dispatch(access, scope, path, method, request, response, callback);
        } catch (RegistryException e) {
            throw cluster.lostDuring(e);
        } finally {
            RetryBudget.clear();
        }
        return true;
    }

    private void dispatch(Access access, AccessToken scope, String[] path, String method, Request request,
            Response response, Callback callback) throws Exception {
        if (!path[0].equals("artifacts") && !path[0].equals("dashboard") && !path[0].equals("quorum")) {
            // artifacts are the node's own store, the dashboard says itself what is stale, and a quorum recovery is
            // what brings the registry back
            cluster.requireRegistry();
        }
        if (path.length == 2 && path[0].equals("quorum") && path[1].equals("recover") && HttpMethod.POST.is(method)) {
            quorumRecovery.recover(response, callback);
        } else if (path.length == 1 && path[0].equals("dashboard") && HttpMethod.GET.is(method)) {
            dashboard.answer(access == Access.ADMIN ? "admin" : "viewer", response, callback);
        } else if (path.length == 1 && path[0].equals("trust") && HttpMethod.GET.is(method)) {
            trust.policy(response, callback);
        } else if (path.length == 1 && path[0].equals("trust") && HttpMethod.POST.is(method)) {
            if (access != Access.ADMIN) {
                throw new ApiError(ErrorCode.FORBIDDEN, "the trust in release signers is changed with an admin token");
            }
            trust.change(request, response, callback);
        } else if (path.length == 2 && path[0].equals("signatures") && HttpMethod.GET.is(method)) {
            trust.signatures(path[1], response, callback);
        } else if (path.length == 3 && path[0].equals("signatures") && HttpMethod.PUT.is(method)) {
            trust.sign(path[1], path[2], request, response, callback);
        } else if (path[0].equals("tokens")) {
            if (access != Access.ADMIN) {
                throw new ApiError(ErrorCode.FORBIDDEN, "tokens are created, listed and revoked with an admin token");
            }
            tokens.handle(path, method, request, response, callback);
        } else if (path.length >= 2 && path[0].equals("artifacts")) {
            artifacts.handle(java.util.Arrays.copyOfRange(path, 1, path.length), method, request, response, callback);
        } else if (path.length == 1 && path[0].equals("releases") && HttpMethod.POST.is(method)) {
            releases.release(request, response, callback, scope == null ? service -> true : scope::mayChange);
        } else if (path.length == 2 && path[0].equals("deployments") && HttpMethod.POST.is(method)) {
            deployments.deployment(path[1], request, response, callback);
        } else if (path.length == 2 && path[0].equals("configurations") && HttpMethod.POST.is(method)) {
            configurations.change(path[1], request, response, callback);
        } else if (path.length == 2 && path[0].equals("configurations") && HttpMethod.GET.is(method)) {
            configurations.current(path[1], response, callback);
        } else if (path.length == 3 && path[0].equals("configurations") && path[2].equals("history")
                && HttpMethod.GET.is(method)) {
            configurations.history(path[1], response, callback);
        } else if (path.length == 2 && path[0].equals("rules") && HttpMethod.POST.is(method)) {
            rules.change(path[1], request, response, callback);
        } else if (path.length == 2 && path[0].equals("rules") && HttpMethod.GET.is(method)) {
            rules.current(path[1], response, callback);
        } else if (path.length == 3 && path[0].equals("rules") && path[2].equals("history")
                && HttpMethod.GET.is(method)) {
            rules.history(path[1], response, callback);
        } else if (path.length == 2 && path[0].equals("cluster") && path[1].equals("records")
                && HttpMethod.GET.is(method)) {
            JsonResponses.json(response, callback, 200, RecordJson.write(cluster.reader().snapshot()));
        } else if (path.length == 2 && path[0].equals("cluster") && path[1].equals("status")
                && HttpMethod.GET.is(method)) {
            JsonResponses.json(response, callback, 200, cluster.overview());
        } else if (path.length == 2 && path[0].equals("instances") && HttpMethod.GET.is(method)) {
            RegistryLayout.requireName(path[1], "service");
            JsonResponses.json(response, callback, 200, new AdminAnswers.Instances<>(cluster.instances(path[1])));
        } else if (path.length == 2 && path[0].equals("rollouts") && HttpMethod.POST.is(method)) {
            rollouts.change(path[1], request, response, callback);
        } else if (path.length == 3 && path[0].equals("rollouts") && path[2].equals("analysis")
                && HttpMethod.GET.is(method)) {
            rollouts.analysis(path[1], response, callback);
        } else if (path.length == 1 && path[0].equals("calls") && HttpMethod.GET.is(method)) {
            rollouts.calls(cluster.nodeId(), request, response, callback);
        } else if (path.length == 2 && path[0].equals("rollouts") && HttpMethod.GET.is(method)) {
            rollout(path[1], request, response, callback);
        } else if (path.length == 2 && path[0].equals("deployments") && HttpMethod.GET.is(method)) {
            JsonResponses.json(response, callback, 200, RecordJson.write(deploymentStore.read(path[1])));
        } else if ((path.length == 1 || path.length == 2) && path[0].equals("releases") && HttpMethod.GET.is(method)) {
            List<ReleaseManifest> manifests = new ArrayList<>();
            for (String service : path.length == 2 ? List.of(path[1]) : releaseStore.services()) {
                manifests.addAll(releaseStore.list(service));
            }
            JsonResponses.json(response, callback, 200, new AdminAnswers.Releases<>(manifests));
        } else {
            JsonResponses.error(response, callback, ErrorCode.NOT_FOUND, "no admin resource " + method + " "
                    + Request.getPathInContext(request));
        }
    }

    /**
     * {@code GET rollouts/{service}?revision=N}: the service's desired state, and how far the cluster is from its
     * revision N (default: the current one), which is what a rollout that wrote N follows.
     */
    private void rollout(String service, Request request, Response response, Callback callback) {
        RegistryLayout.requireName(service, "service");
        Deployment current = deploymentStore.read(service);
        String asked = Request.extractQueryParameters(request).getValue("revision");
        long revision;
        try {
            revision = asked == null ? current.revision() : Long.parseLong(asked);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("revision must be a number; got " + Text.quote(asked));
        }
        Deployment target;
        if (revision == current.revision()) {
            target = current;
        } else {
            var earlier = current.revision(revision).orElseThrow(() -> new ApiError(ErrorCode.NOT_FOUND,
                    service + " has no revision " + revision + " in its history"));
            target = new Deployment(service, revision, earlier.versions(), List.of());
        }
        JsonResponses.json(response, callback, 200, new AdminAnswers.Rollout<>(current,
                cluster.convergence(target)));
    }

    /**
     * What a deployer token may do besides the reads: upload artifacts, create releases (of its services: checked
     * once the release's service is known), and change deployments, configurations, rules and rollouts of the
     * services its pattern matches. Anything else is answered 403 here.
     */
    private static boolean deployerMay(AccessToken scope, String[] path, String method, Response response,
            Callback callback) {
        if (isRead(path, method) || path[0].equals("artifacts")
                || path.length == 1 && path[0].equals("releases") && HttpMethod.POST.is(method)) {
            return true;
        }
        boolean serviceChange = path.length == 2 && HttpMethod.POST.is(method) && switch (path[0]) {
            case "deployments", "configurations", "rules", "rollouts" -> true;
            default -> false;
        } || path.length == 3 && path[0].equals("signatures") && HttpMethod.PUT.is(method);
        if (serviceChange && scope.mayChange(path[1])) {
            return true;
        }
        JsonResponses.error(response, callback, ErrorCode.FORBIDDEN, serviceChange
                ? "token " + scope.id() + " deploys services matching " + Text.quote(scope.services()) + "; "
                        + Text.quote(path[1]) + " is not one of them"
                : "token " + scope.id() + " is a deployer's: it uploads, and deploys, promotes, retires, rolls back,"
                        + " configures and sets rules and rollouts of services matching "
                        + Text.quote(scope.services()) + "; nothing else");
        return false;
    }

    /** The reads a viewer may make. */
    private static boolean isRead(String[] path, String method) {
        if (!HttpMethod.GET.is(method)) {
            return false;
        }
        return switch (path[0]) {
            case "dashboard" -> path.length == 1;
            case "cluster" -> path.length == 2 && (path[1].equals("status") || path[1].equals("records"));
            case "configurations", "rules" -> path.length == 2 || path.length == 3 && path[2].equals("history");
            case "deployments", "instances" -> path.length == 2;
            case "rollouts" -> path.length == 2 || path.length == 3 && path[2].equals("analysis");
            case "calls", "trust" -> path.length == 1;
            case "signatures" -> path.length == 2;
            case "releases" -> path.length == 1 || path.length == 2;
            default -> false;
        };
    }

    private static boolean isArtifactRead(Request request) {
        String path = Request.getPathInContext(request).substring(PREFIX.length());
        return path.startsWith("artifacts/") && path.indexOf('/', "artifacts/".length()) < 0
                && (HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod()));
    }

    /**
     * The admin token allows everything, the viewer token the reads; an {@link ArtifactGrant} (what peers fetch
     * with) only reading artifacts. A refusal is answered here.
     */
    private Access authorize(Request request, Response response, Callback callback) {
        if (token == null) {
            JsonResponses.error(response, callback, ErrorCode.ADMIN_DISABLED,
                    "this node has no admin token, so its admin API is disabled");
            return Access.REFUSED;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header != null && header.startsWith(ArtifactGrant.SCHEME)) {
            if (grants != null && grants.accepts(header) && isArtifactRead(request)) {
                return Access.PEER;
            }
            JsonResponses.error(response, callback, ErrorCode.FORBIDDEN, "an artifact read grant reads artifacts"
                    + " (GET and HEAD) while it is valid, and nothing else");
            return Access.REFUSED;
        }
        if (header == null || !header.startsWith("Bearer ")) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            JsonResponses.error(response, callback, ErrorCode.UNAUTHORIZED,
                    "admin requests need the header Authorization: Bearer <token>");
            return Access.REFUSED;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        // both compared in constant time, always both: no timing hints about either token
        boolean admin = MessageDigest.isEqual(given, token);
        boolean viewer = MessageDigest.isEqual(given, viewerToken);
        if (admin) {
            return Access.ADMIN;
        }
        if (viewer) {
            return Access.VIEWER;
        }
        String bearer = new String(given, StandardCharsets.UTF_8);
        java.util.Optional<AccessToken> scoped = scopedTokens.verify(bearer);
        if (scoped.isPresent()) {
            request.setAttribute(SCOPE, scoped.get());
            return switch (scoped.get().role()) {
                case ADMIN -> Access.ADMIN;
                case VIEWER -> Access.VIEWER;
                case DEPLOYER -> Access.DEPLOYER;
            };
        }
        JsonResponses.error(response, callback, ErrorCode.FORBIDDEN, AccessToken.idOf(bearer).isPresent()
                ? "unknown or revoked token" : "wrong admin token");
        return Access.REFUSED;
    }

}
