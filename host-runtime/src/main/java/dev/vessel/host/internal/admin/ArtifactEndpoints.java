package dev.vessel.host.internal.admin;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.StartUpload;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.host.internal.artifact.ArtifactPresence;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.artifact.TokenBucket;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.registry.ChunkList;
import dev.vessel.registry.RegistryLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /v1/admin/artifacts/...}: whole and chunked uploads into the store, and reads of whole artifacts or
 * ranges of them (peers fetch chunks through this), paced by the node's serving rate.
 */
final class ArtifactEndpoints {
    private final ArtifactStore artifacts;
    private final ArtifactPresence presence;
    private final TokenBucket serveRate;
    private final LongAdder servedBytes;
    /** A few streams at a time, in arrival order (see {@link #serve}). */
    private final Semaphore servingSlots = new Semaphore(2, true);

    ArtifactEndpoints(ArtifactStore artifacts, ArtifactPresence presence, TokenBucket serveRate,
            LongAdder servedBytes) {
        this.artifacts = artifacts;
        this.presence = presence;
        this.serveRate = serveRate;
        this.servedBytes = servedBytes;
    }

    /** @param path the segments after {@code artifacts/} */
    void handle(String[] path, String method, Request request, Response response, Callback callback) throws Exception {
        if (path.length == 1) {
            artifact(path[0], method, request, response, callback);
        } else if (path.length == 2 && path[1].equals("upload") && HttpMethod.POST.is(method)) {
            startUpload(path[0], request, response, callback);
        } else if (path.length == 3 && path[1].equals("chunks") && HttpMethod.PUT.is(method)) {
            uploadChunk(path[0], path[2], request, response, callback);
        } else {
            JsonResponses.error(response, callback, ErrorCode.NOT_FOUND, "no admin resource " + method + " "
                    + Request.getPathInContext(request));
        }
    }

    private void artifact(String sha256, String method, Request request, Response response, Callback callback)
            throws Exception {
        requireDigest(sha256);
        if (HttpMethod.PUT.is(method)) {
            if (request.getLength() > artifacts.maxBytes()) {
                throw new ApiError(ErrorCode.TOO_LARGE, "artifact exceeds the limit of " + artifacts.maxBytes()
                        + " bytes; nothing was stored");
            }
            ArtifactStore.Stored stored = artifacts.has(sha256)
                    ? new ArtifactStore.Stored(sha256, Files.size(artifacts.path(sha256)), false)
                    : artifacts.put(sha256, Content.Source.asInputStream(request));
            artifacts.markOrigin(sha256);
            presence.announceComplete(sha256);
            // already held: the body was not read (a large one ends the connection instead of being read)
            JsonResponses.jsonDiscardingBody(response, callback, stored.created() ? 201 : 200,
                    new AdminAnswers.ArtifactStored(stored.sha256(), stored.size(), stored.created()));
            return;
        }
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, PUT");
            JsonResponses.error(response, callback, ErrorCode.METHOD_NOT_ALLOWED, "artifacts take GET, HEAD and PUT");
            return;
        }
        if (HttpMethod.HEAD.is(method)) {
            if (artifacts.has(sha256)) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Files.size(artifacts.path(sha256)));
                callback.succeeded();
            } else {
                JsonResponses.error(response, callback, ErrorCode.UNKNOWN_ARTIFACT, "this node does not hold " + sha256);
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
            JsonResponses.error(response, callback, ErrorCode.UNKNOWN_ARTIFACT, "this node does not hold " + sha256);
            return;
        }
        long offset = 0;
        long length = size;
        if (range != null) {
            long[] bounds = parseRange(range, size);
            if (bounds == null) {
                response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                JsonResponses.error(response, callback, ErrorCode.BAD_RANGE, "unsatisfiable range " + range);
                return;
            }
            offset = bounds[0];
            length = bounds[1] - bounds[0] + 1;
        }
        var channel = artifacts.openRange(sha256, offset, length);
        if (channel.isEmpty()) {
            JsonResponses.error(response, callback, ErrorCode.UNKNOWN_ARTIFACT, "this node does not hold bytes "
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

    /**
     * {@code POST .../upload} with size, chunk size and chunk digests: opens (or resumes) an upload and says which
     * chunks are missing. A start that contradicts an upload already under way is refused (see
     * {@link ArtifactStore#partial}).
     */
    private void startUpload(String sha256, Request request, Response response, Callback callback) throws Exception {
        requireDigest(sha256);
        StartUpload body = AdminRequests.check(AdminRequests.read(request, StartUpload.class));
        AdminAnswers.UploadStatus answer;
        if (artifacts.has(sha256)) {
            answer = new AdminAnswers.UploadStatus(true, List.of());
        } else {
            if (body.digests().size() > (artifacts.maxBytes() / ArtifactStore.MIN_CHUNK_SIZE) + 1) {
                throw new ApiError(ErrorCode.TOO_LARGE, "an upload has at most " + (artifacts.maxBytes()
                        / ArtifactStore.MIN_CHUNK_SIZE + 1) + " chunks; got " + body.digests().size() + " digests");
            }
            ArtifactStore.Partial partial = artifacts.partial(sha256, body.size(),
                    new ChunkList(body.chunkSize(), body.digests()));
            answer = new AdminAnswers.UploadStatus(false, partial.missing());
        }
        JsonResponses.json(response, callback, 200, answer);
    }

    /**
     * {@code PUT .../chunks/{i}}: one chunk, streamed into place and verified; the last one completes (and
     * verifies) the artifact. Idempotent: a chunk already verified, or any chunk of a complete artifact, changes
     * nothing and says so ({@code "changed": false}) without its body being read.
     */
    private void uploadChunk(String sha256, String index, Request request, Response response, Callback callback)
            throws Exception {
        requireDigest(sha256);
        int chunk;
        try {
            chunk = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new ApiError(ErrorCode.BAD_CHUNK, "'" + index + "' is not a chunk number");
        }
        if (artifacts.has(sha256)) {
            JsonResponses.jsonDiscardingBody(response, callback, 200, new AdminAnswers.ChunkStored(chunk, true,
                    false));
            return;
        }
        ArtifactStore.Partial partial = artifacts.existingPartial(sha256).orElseThrow(() -> new ApiError(
                ErrorCode.NO_UPLOAD, "start the upload of " + sha256 + " first (POST /v1/admin/artifacts/" + sha256
                        + "/upload)"));
        long length = request.getLength();
        if (chunk >= 0 && chunk < partial.chunks().count() && length > partial.chunks().length(chunk, partial.size())) {
            throw new ApiError(ErrorCode.TOO_LARGE, "chunk " + chunk + " is " + partial.chunks().length(chunk,
                    partial.size()) + " bytes; the request body is " + length);
        }
        // not closed: closing would fail the rest of the body, which an answer may still want to discard
        boolean changed = partial.write(chunk, Content.Source.asInputStream(request));
        if (!changed) {
            JsonResponses.jsonDiscardingBody(response, callback, 200, new AdminAnswers.ChunkStored(chunk,
                    partial.isComplete(), false));
            return;
        }
        boolean complete = partial.isComplete();
        if (complete) {
            partial.finish();
            artifacts.markOrigin(sha256);
            presence.announceComplete(sha256);
        } else {
            presence.announcePartial(sha256, partial);
        }
        JsonResponses.json(response, callback, 200, new AdminAnswers.ChunkStored(chunk, complete, true));
    }

    private static void requireDigest(String sha256) {
        try {
            RegistryLayout.requireSha256(sha256);
        } catch (IllegalArgumentException e) {
            throw new ApiError(ErrorCode.BAD_DIGEST, e.getMessage());
        }
    }
}
