package dev.vessel.host.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.release.ReleaseRefused;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentConflictException;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RegistryException;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.ReleaseStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.osgi.framework.Version;

/**
 * {@code /v1/admin/...}: artifacts, releases and deployments. Every request needs {@code Authorization: Bearer
 * <token>}: 401 without, 403 with a wrong one; a refused or unauthenticated request changes nothing.
 *
 * <pre>
 * PUT  /v1/admin/artifacts/{sha256}        store a jar (digest-checked, content-addressed)
 * GET  /v1/admin/artifacts/{sha256}        read it back (peers fetch through this); HEAD: does it exist
 * POST /v1/admin/releases                  validate uploaded jars as a release and store its manifest
 * POST /v1/admin/deployments/{service}     deploy | promote | retire | retire-older | rollback
 * </pre>
 */
public final class AdminHandler implements Request.Handler {
    public static final String PREFIX = "/v1/admin/";

    private final byte[] token;
    private final ArtifactStore artifacts;
    private final ArtifactHolders holders;
    private final ReleaseValidator validator;
    private final ReleaseStore releases;
    private final DeploymentStore deployments;

    public AdminHandler(String token, ArtifactStore artifacts, ArtifactHolders holders, ReleaseValidator validator,
            ReleaseStore releases, DeploymentStore deployments) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.artifacts = artifacts;
        this.holders = holders;
        this.validator = validator;
        this.releases = releases;
        this.deployments = deployments;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!authorized(request, response, callback)) {
            return true;
        }
        String[] path = Request.getPathInContext(request).substring(PREFIX.length()).split("/", -1);
        String method = request.getMethod();
        if (path.length == 2 && path[0].equals("artifacts")) {
            artifact(path[1], method, request, response, callback);
        } else if (path.length == 1 && path[0].equals("releases") && HttpMethod.POST.is(method)) {
            release(request, response, callback);
        } else if (path.length == 2 && path[0].equals("deployments") && HttpMethod.POST.is(method)) {
            deployment(path[1], request, response, callback);
        } else {
            JsonResponses.error(response, callback, 404, "NOT_FOUND", "no admin resource " + method + " "
                    + Request.getPathInContext(request));
        }
        return true;
    }

    private boolean authorized(Request request, Response response, Callback callback) {
        if (token == null) {
            JsonResponses.error(response, callback, 403, "ADMIN_DISABLED",
                    "this node has no admin token, so its admin API is disabled");
            return false;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
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

    private void artifact(String sha256, String method, Request request, Response response, Callback callback)
            throws IOException {
        try {
            RegistryLayout.requireSha256(sha256);
        } catch (IllegalArgumentException e) {
            JsonResponses.error(response, callback, 400, "BAD_DIGEST", e.getMessage());
            return;
        }
        if (HttpMethod.PUT.is(method)) {
            if (request.getLength() > artifacts.maxBytes()) {
                JsonResponses.error(response, callback, 413, "TOO_LARGE", "artifact exceeds the limit of "
                        + artifacts.maxBytes() + " bytes; nothing was stored");
                return;
            }
            try (InputStream body = Content.Source.asInputStream(request)) {
                ArtifactStore.Stored stored = artifacts.put(sha256, body);
                holders.announce(sha256);
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("sha256", stored.sha256());
                answer.put("size", stored.size());
                answer.put("created", stored.created());
                JsonResponses.json(response, callback, stored.created() ? 201 : 200, answer);
            } catch (ArtifactStore.Rejected e) {
                JsonResponses.error(response, callback, e.code().equals("TOO_LARGE") ? 413 : 400, e.code(),
                        e.getMessage());
            }
            return;
        }
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, PUT");
            JsonResponses.error(response, callback, 405, "METHOD_NOT_ALLOWED", "artifacts take GET, HEAD and PUT");
            return;
        }
        if (!artifacts.has(sha256)) {
            JsonResponses.error(response, callback, 404, "UNKNOWN_ARTIFACT", "this node does not hold " + sha256);
            return;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/java-archive");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Files.size(artifacts.path(sha256)));
        if (HttpMethod.HEAD.is(method)) {
            callback.succeeded();
            return;
        }
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            Files.copy(artifacts.path(sha256), out);
        }
        callback.succeeded();
    }

    private void release(Request request, Response response, Callback callback) throws Exception {
        AdminRequests.CreateRelease body = read(request, response, callback, AdminRequests.CreateRelease.class);
        if (body == null) {
            return;
        }
        if (body.artifacts() == null || body.artifacts().isEmpty()) {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", "artifacts: list the uploaded jars");
            return;
        }
        List<ReleaseValidator.Upload> uploads = body.artifacts().stream()
                .map(a -> new ReleaseValidator.Upload(a.sha256(), a.fileName() == null ? a.sha256() : a.fileName()))
                .toList();
        try {
            ReleaseValidator.Validated validated = validator.validate(uploads, body.service(), body.force(),
                    body.by());
            boolean created = !body.dryRun() && releases.create(validated.manifest());
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("release", validated.manifest());
            answer.put("created", created);
            answer.put("dryRun", body.dryRun());
            JsonResponses.json(response, callback, 200, answer);
        } catch (ReleaseRefused e) {
            int status = e.code().equals(ReleaseRefused.RELEASE_EXISTS) ? 409 : 422;
            JsonResponses.error(response, callback, status, e.code(), e.getMessage());
        } catch (IllegalArgumentException e) {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", e.getMessage());
        }
    }

    private void deployment(String service, Request request, Response response, Callback callback) throws Exception {
        AdminRequests.ChangeDeployment body = read(request, response, callback, AdminRequests.ChangeDeployment.class);
        if (body == null) {
            return;
        }
        String by = body.by() == null ? "unknown" : body.by();
        long expected = body.expectedRevision() == null ? -1 : body.expectedRevision();
        try {
            RegistryLayout.requireName(service, "service");
            String action = body.action() == null ? "" : body.action();
            Deployment result = switch (action) {
                case "deploy" -> {
                    String version = requireVersion(body);
                    if (releases.get(service, version).isEmpty()) {
                        throw new IllegalArgumentException("there is no release " + service + " " + version
                                + "; create it first (POST /v1/admin/releases)");
                    }
                    DeployedVersion entry = new DeployedVersion(version, body.weight() == null ? 100 : body.weight(),
                            body.nodes() == null ? DeployedVersion.ALL_NODES : body.nodes());
                    yield deployments.update(service, expected, d -> d.next(DeploymentPlanner.deploy(d, entry),
                            "deploy " + version + (entry.weight() < 100 ? " as canary at " + entry.weight() + "%" : "")
                                    + (entry.nodes().equals("*") ? "" : " on " + entry.nodes()), by));
                }
                case "promote" -> {
                    String version = requireVersion(body);
                    yield deployments.update(service, expected, d -> d.next(DeploymentPlanner.promote(d, version),
                            "promote " + version, by));
                }
                case "retire" -> {
                    String version = requireVersion(body);
                    yield deployments.update(service, expected, d -> d.next(DeploymentPlanner.retire(d, version),
                            "retire " + version, by));
                }
                case "retire-older" -> {
                    String version = requireVersion(body);
                    yield deployments.update(service, expected, d -> d.next(
                            DeploymentPlanner.retireOlderOfSameMajor(d, version),
                            "retire versions of " + Version.parseVersion(version).getMajor() + ".x below " + version,
                            by));
                }
                case "rollback" -> deployments.update(service, expected, d -> d.next(
                        DeploymentPlanner.rollback(d, body.toRevision()),
                        "rollback to revision " + (body.toRevision() != null ? body.toRevision() : d.revision() - 1),
                        by));
                default -> throw new IllegalArgumentException("action must be deploy, promote, retire, retire-older or"
                        + " rollback; got '" + action + "'");
            };
            JsonResponses.json(response, callback, 200, Map.of("deployment", result));
        } catch (DeploymentConflictException e) {
            JsonResponses.error(response, callback, 409, "CONFLICT", e.getMessage());
        } catch (IllegalArgumentException e) {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", e.getMessage());
        } catch (RegistryException e) {
            JsonResponses.error(response, callback, 503, "REGISTRY_UNAVAILABLE", e.getMessage());
        }
    }

    private static String requireVersion(AdminRequests.ChangeDeployment body) {
        if (body.version() == null) {
            throw new IllegalArgumentException("version is required for " + body.action());
        }
        return Version.parseVersion(body.version()).toString();
    }

    private static <T> T read(Request request, Response response, Callback callback, Class<T> type) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            JsonNode tree = JsonResponses.MAPPER.readTree(in.readNBytes(1 << 20));
            return JsonResponses.MAPPER.treeToValue(tree, type);
        } catch (IOException | IllegalArgumentException e) {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", "unreadable request body: " + e.getMessage());
            return null;
        }
    }
}
