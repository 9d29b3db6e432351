package dev.vessel.host.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.internal.http.JsonResponses;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The JSON bodies the admin API accepts, and how they are read. */
final class AdminRequests {
    private AdminRequests() {}

    record Artifact(String sha256, String fileName) {}

    /** {@code POST /v1/admin/artifacts/{sha256}/upload} */
    record StartUpload(long size, int chunkSize, List<String> digests) {}

    /** {@code POST /v1/admin/releases} */
    record CreateRelease(List<Artifact> artifacts, String service, boolean force, boolean dryRun, String by) {}

    /** {@code POST /v1/admin/deployments/{service}} */
    record ChangeDeployment(String action, String version, Integer weight, String nodes, Long expectedRevision,
            Long toRevision, String by, Integer maxConcurrency) {}

    /** The JSON body as {@code type}; on failure answers 400 and returns null. */
    static <T> T read(Request request, Response response, Callback callback, Class<T> type) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            JsonNode tree = JsonResponses.MAPPER.readTree(in.readNBytes(1 << 20));
            return JsonResponses.MAPPER.treeToValue(tree, type);
        } catch (IOException | IllegalArgumentException e) {
            JsonResponses.error(response, callback, 400, "BAD_REQUEST", "unreadable request body: " + e.getMessage());
            return null;
        }
    }
}
