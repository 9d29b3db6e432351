package dev.vessel.host.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.internal.artifact.ArtifactPresence;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.artifact.TokenBucket;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.release.ReleaseRefused;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ChunkList;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
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
    private final ArtifactPresence presence;
    private final TokenBucket serveRate;
    private final LongAdder servedBytes;
    private final Semaphore servingSlots = new Semaphore(2, true);
    private final ReleaseValidator validator;
    private final ReleaseStore releases;
    private final DeploymentStore deployments;

    public AdminHandler(String token, ArtifactStore artifacts, ArtifactPresence presence, TokenBucket serveRate,
            LongAdder servedBytes, ReleaseValidator validator, ReleaseStore releases, DeploymentStore deployments) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.artifacts = artifacts;
        this.presence = presence;
        this.serveRate = serveRate;
        this.servedBytes = servedBytes;
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
        } else if (path.length == 3 && path[0].equals("artifacts") && path[2].equals("upload")
                && HttpMethod.POST.is(method)) {
            startUpload(path[1], request, response, callback);
        } else if (path.length == 4 && path[0].equals("artifacts") && path[2].equals("chunks")
                && HttpMethod.PUT.is(method)) {
            uploadChunk(path[1], path[3], request, response, callback);
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
            throws Exception {
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
                artifacts.markOrigin(sha256);
                presence.announceComplete(sha256);
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
        if (HttpMethod.HEAD.is(method)) {
            if (artifacts.has(sha256)) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Files.size(artifacts.path(sha256)));
                callback.succeeded();
            } else {
                JsonResponses.error(response, callback, 404, "UNKNOWN_ARTIFACT", "this node does not hold " + sha256);
            }
            return;
        }
        serve(sha256, request.getHeaders().get(HttpHeader.RANGE), response, callback);
    }

    /**
     * Sends a whole artifact, or with {@code Range: bytes=a-b} one range of it — also from an artifact still being
     * assembled, as long as the range lies in chunks already verified. Paced by the node's serving rate.
     */
    private void serve(String sha256, String range, Response response, Callback callback) throws Exception {
        long size;
        try {
            size = artifacts.size(sha256);
        } catch (IOException notHeld) {
            JsonResponses.error(response, callback, 404, "UNKNOWN_ARTIFACT", "this node does not hold " + sha256);
            return;
        }
        long offset = 0;
        long length = size;
        if (range != null) {
            long[] bounds = parseRange(range, size);
            if (bounds == null) {
                response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                JsonResponses.error(response, callback, 416, "BAD_RANGE", "unsatisfiable range " + range);
                return;
            }
            offset = bounds[0];
            length = bounds[1] - bounds[0] + 1;
        }
        var channel = artifacts.openRange(sha256, offset, length);
        if (channel.isEmpty()) {
            JsonResponses.error(response, callback, 404, "UNKNOWN_ARTIFACT", "this node does not hold bytes "
                    + offset + "-" + (offset + length - 1) + " of " + sha256 + " yet");
            return;
        }
        response.setStatus(range == null ? 200 : 206);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/java-archive");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        if (range != null) {
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + offset + "-" + (offset + length - 1) + "/"
                    + size);
        }
        // a few streams at a time, in arrival order: each finishes at full rate, so peers get whole chunks
        // early and can pass them on, instead of every chunk crawling in at once
        servingSlots.acquire();
        try (var file = channel.get(); OutputStream out = Content.Sink.asOutputStream(response)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64 * 1024);
            long position = offset;
            long end = offset + length;
            while (position < end) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                int n = file.read(buffer, position);
                if (n < 0) {
                    throw new IOException("artifact " + sha256 + " ended early");
                }
                serveRate.take(n);
                out.write(buffer.array(), 0, n);
                servedBytes.add(n);
                position += n;
            }
        } finally {
            servingSlots.release();
        }
        callback.succeeded();
    }

    /** {@code bytes=a-b} (or {@code bytes=a-}) within {@code size}; null if unsatisfiable or unsupported. */
    private static long[] parseRange(String header, long size) {
        if (!header.startsWith("bytes=") || header.contains(",")) {
            return null;
        }
        String[] parts = header.substring("bytes=".length()).split("-", -1);
        try {
            long start = Long.parseLong(parts[0].trim());
            long end = parts[1].isBlank() ? size - 1 : Math.min(Long.parseLong(parts[1].trim()), size - 1);
            return start > end || start >= size ? null : new long[] {start, end};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /** {@code POST .../upload} with the chunk list: opens (or resumes) an upload and says which chunks are missing. */
    private void startUpload(String sha256, Request request, Response response, Callback callback) throws Exception {
        AdminRequests.StartUpload body = read(request, response, callback, AdminRequests.StartUpload.class);
        if (body == null) {
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        try {
            RegistryLayout.requireSha256(sha256);
            if (artifacts.has(sha256)) {
                answer.put("complete", true);
                answer.put("missing", List.of());
            } else {
                ArtifactStore.Partial partial = artifacts.partial(sha256, body.size(),
                        new ChunkList(body.chunkSize(), body.digests()));
                answer.put("complete", false);
                answer.put("missing", partial.missing());
            }
            JsonResponses.json(response, callback, 200, answer);
        } catch (ArtifactStore.Rejected e) {
            JsonResponses.error(response, callback, 413, e.code(), e.getMessage());
        } catch (IllegalArgumentException e) {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", e.getMessage());
        }
    }

    /** {@code PUT .../chunks/{i}}: one verified chunk; the last one completes (and verifies) the artifact. */
    private void uploadChunk(String sha256, String index, Request request, Response response, Callback callback)
            throws Exception {
        ArtifactStore.Partial partial;
        try {
            RegistryLayout.requireSha256(sha256);
            partial = artifacts.partial(sha256, artifacts.size(sha256), null);
        } catch (IOException | IllegalArgumentException e) {
            JsonResponses.error(response, callback, 409, "NO_UPLOAD", "start the upload of " + sha256 + " first (POST"
                    + " /v1/admin/artifacts/" + sha256 + "/upload)");
            return;
        }
        try (InputStream body = Content.Source.asInputStream(request)) {
            int chunk = Integer.parseInt(index);
            partial.write(chunk, body.readNBytes(partial.chunks().chunkSize() + 1));
            boolean complete = partial.isComplete();
            if (complete) {
                partial.finish();
                artifacts.markOrigin(sha256);
                presence.announceComplete(sha256);
            } else {
                presence.announcePartial(sha256, partial);
            }
            JsonResponses.json(response, callback, 200, Map.of("chunk", chunk, "complete", complete));
        } catch (NumberFormatException e) {
            JsonResponses.error(response, callback, 400, "BAD_CHUNK", "'" + index + "' is not a chunk number");
        } catch (ArtifactStore.Rejected e) {
            JsonResponses.error(response, callback, 400, e.code(), e.getMessage());
        }
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
