package dev.vessel.host.internal.admin;

import dev.vessel.protocol.ErrorCode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.Text;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The JSON bodies the admin API accepts, and how they are read: strictly (unknown fields and trailing content are
 * errors), at most {@link #MAX_BODY_BYTES}, and each record checks its own values, so an
 * endpoint only ever sees a request that makes sense. A missing number or flag is 0 or false.
 */
final class AdminRequests {
    /** Largest admin JSON body; a larger one is refused with 413, never cut and parsed. */
    static final int MAX_BODY_BYTES = 1 << 20;
    /** Most jars in one release. */
    static final int MAX_BUNDLES_PER_RELEASE = dev.vessel.host.ReleaseReader.MAX_BUNDLES;

    private AdminRequests() {}

    record Artifact(String sha256, String fileName) {
        Artifact {
            if (sha256 == null) {
                throw new IllegalArgumentException("artifacts: every entry needs its sha256");
            }
            RegistryLayout.requireSha256(sha256);
            if (fileName != null) {
                Text.requirePrintable(fileName, "fileName", Text.MAX_FILE_NAME);
                if (fileName.contains("/") || fileName.contains("\\")) {
                    throw new IllegalArgumentException("fileName is a name, not a path: " + Text.quote(fileName));
                }
            }
        }
    }

    /** {@code POST /v1/admin/artifacts/{sha256}/upload} */
    record StartUpload(long size, int chunkSize, List<String> digests) {
        StartUpload {
            if (digests == null) {
                throw new IllegalArgumentException("digests: give the SHA-256 of every chunk, in order");
            }
        }
    }

    /** {@code POST /v1/admin/releases} */
    record CreateRelease(List<Artifact> artifacts, String service, boolean force, boolean dryRun, String by) {
        CreateRelease {
            if (artifacts == null || artifacts.isEmpty()) {
                throw new IllegalArgumentException("artifacts: list the uploaded jars");
            }
            if (artifacts.size() > MAX_BUNDLES_PER_RELEASE) {
                throw new IllegalArgumentException("a release has at most " + MAX_BUNDLES_PER_RELEASE + " jars; got "
                        + artifacts.size());
            }
            if (artifacts.contains(null)) {
                throw new IllegalArgumentException("artifacts: an entry is null");
            }
            if (service != null && !service.isEmpty()) {
                RegistryLayout.requireName(service, "service");
            }
            requireAuthor(by);
        }
    }

    /** {@code POST /v1/admin/deployments/{service}} */
    record ChangeDeployment(String action, String version, Integer weight, String nodes, Long expectedRevision,
            Long toRevision, String by, Integer maxConcurrency) {
        ChangeDeployment {
            if (action == null || action.isEmpty()) {
                throw new IllegalArgumentException("action is required: deploy, promote, retire, retire-older or"
                        + " rollback");
            }
            if (version != null) {
                RegistryLayout.requireName(version, "version");
            }
            if (nodes != null) {
                Text.requirePrintable(nodes, "nodes", Text.MAX_SELECTOR);
            }
            requireAuthor(by);
        }
    }

    /**
     * {@code POST /v1/admin/configurations/{service}}: a new revision with {@code pids} (the whole configuration),
     * or one with the configuration of revision {@code rollbackTo}.
     */
    record ChangeConfiguration(java.util.Map<String, java.util.Map<String, Object>> pids,
            java.util.List<dev.vessel.registry.ConfigurationRevision.Target> targets, Long rollbackTo,
            Long expectedRevision, String message, String by, Boolean dryRun,
            java.util.Map<String, java.util.List<String>> secrets) {
        ChangeConfiguration {
            if ((pids == null) == (rollbackTo == null)) {
                throw new IllegalArgumentException("give either pids (the new configuration) or rollbackTo (a"
                        + " revision)");
            }
            if (pids != null) {
                pids.forEach((pid, properties) -> {
                    Text.requirePrintable(pid, "pid", Text.MAX_SELECTOR);
                    if (properties == null) {
                        throw new IllegalArgumentException("pid " + pid + ": properties are required (an empty"
                                + " object for none)");
                    }
                    properties.forEach((key, value) -> {
                        Text.requirePrintable(key, "key of " + pid, Text.MAX_SELECTOR);
                        if (value == null || value instanceof java.util.Map) {
                            throw new IllegalArgumentException(pid + " " + key + ": a value is a string, number,"
                                    + " boolean or a list of them");
                        }
                    });
                });
            }
            if (rollbackTo != null && rollbackTo < 0) {
                throw new IllegalArgumentException("rollbackTo must be a revision (0 or more); got " + rollbackTo);
            }
            if (message != null) {
                Text.requirePrintable(message, "message", Text.MAX_ACTION);
            }
            requireAuthor(by);
        }
    }

    private static void requireAuthor(String by) {
        if (by != null) {
            Text.requirePrintable(by, "by", Text.MAX_AUTHOR);
        }
    }

    private static final ObjectReader STRICT = JsonResponses.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .with(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

    /**
     * The JSON body as {@code type}.
     *
     * @throws ApiError 413 past {@link #MAX_BODY_BYTES}, 400 for anything unreadable or a value a record refuses
     */
    static <T> T read(Request request, Class<T> type) throws IOException {
        if (request.getLength() > MAX_BODY_BYTES) {
            throw tooLarge(request.getLength());
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw tooLarge(-1);
        }
        if (body.length == 0) {
            throw ApiError.badRequest("the request needs a JSON body");
        }
        T value = STRICT.forType(type).readValue(body);
        if (value == null) {
            throw ApiError.badRequest("the request body is JSON null; it must be an object");
        }
        return value;
    }

    private static ApiError tooLarge(long length) {
        return new ApiError(ErrorCode.TOO_LARGE, "admin request bodies are at most " + MAX_BODY_BYTES + " bytes"
                + (length > 0 ? "; this one is " + length : ""));
    }
}
