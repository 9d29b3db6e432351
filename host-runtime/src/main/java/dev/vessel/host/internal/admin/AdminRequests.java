package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.http.ApiError;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminJson;
import dev.vessel.protocol.admin.ArtifactRef;
import dev.vessel.protocol.admin.ConfigurationChange;
import dev.vessel.protocol.admin.ConfigurationTarget;
import dev.vessel.protocol.admin.CreateRelease;
import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.protocol.admin.StartUpload;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.Text;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * How the admin API reads the request bodies of {@code dev.vessel.protocol.admin}: strictly ({@link AdminJson}),
 * at most {@link #MAX_BODY_BYTES}, and then checks their values, so an endpoint only ever sees a request that makes
 * sense. A missing number or flag is 0 or false.
 */
final class AdminRequests {
    /** Largest admin JSON body; a larger one is refused with 413, never cut and parsed. */
    static final int MAX_BODY_BYTES = 1 << 20;
    /** Most jars in one release. */
    static final int MAX_BUNDLES_PER_RELEASE = dev.vessel.host.ReleaseReader.MAX_BUNDLES;

    private AdminRequests() {}

    /** {@code body}'s values, or why they are not a release request. */
    static CreateRelease check(CreateRelease body) {
        List<ArtifactRef> artifacts = body.artifacts();
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
        artifacts.forEach(AdminRequests::check);
        if (body.service() != null && !body.service().isEmpty()) {
            RegistryLayout.requireName(body.service(), "service");
        }
        requireAuthor(body.by());
        return body;
    }

    private static void check(ArtifactRef artifact) {
        if (artifact.sha256() == null) {
            throw new IllegalArgumentException("artifacts: every entry needs its sha256");
        }
        RegistryLayout.requireSha256(artifact.sha256());
        String fileName = artifact.fileName();
        if (fileName != null) {
            Text.requirePrintable(fileName, "fileName", Text.MAX_FILE_NAME);
            if (fileName.contains("/") || fileName.contains("\\")) {
                throw new IllegalArgumentException("fileName is a name, not a path: " + Text.quote(fileName));
            }
        }
    }

    static StartUpload check(StartUpload body) {
        if (body.digests() == null) {
            throw new IllegalArgumentException("digests: give the SHA-256 of every chunk, in order");
        }
        return body;
    }

    static DeploymentChange check(DeploymentChange body) {
        if (body.action() == null || body.action().isEmpty()) {
            throw new IllegalArgumentException("action is required: deploy, promote, retire, retire-older or"
                    + " rollback");
        }
        if (body.version() != null) {
            RegistryLayout.requireName(body.version(), "version");
        }
        if (body.nodes() != null) {
            Text.requirePrintable(body.nodes(), "nodes", Text.MAX_SELECTOR);
        }
        DeployedVersion.requireCpu(body.cpu() == null ? 0 : body.cpu(), body.cpuLimit() == null ? 0 : body.cpuLimit());
        requireAuthor(body.by());
        return body;
    }

    static ConfigurationChange check(ConfigurationChange body) {
        if ((body.pids() == null) == (body.rollbackTo() == null)) {
            throw new IllegalArgumentException("give either pids (the new configuration) or rollbackTo (a"
                    + " revision)");
        }
        if (body.pids() != null) {
            body.pids().forEach((pid, properties) -> {
                Text.requirePrintable(pid, "pid", Text.MAX_SELECTOR);
                if (properties == null) {
                    throw new IllegalArgumentException("pid " + pid + ": properties are required (an empty"
                            + " object for none)");
                }
                properties.forEach((key, value) -> {
                    Text.requirePrintable(key, "key of " + pid, Text.MAX_SELECTOR);
                    if (value == null || value instanceof Map) {
                        throw new IllegalArgumentException(pid + " " + key + ": a value is a string, number,"
                                + " boolean or a list of them");
                    }
                });
            });
        }
        if (body.rollbackTo() != null && body.rollbackTo() < 0) {
            throw new IllegalArgumentException("rollbackTo must be a revision (0 or more); got " + body.rollbackTo());
        }
        if (body.message() != null) {
            Text.requirePrintable(body.message(), "message", Text.MAX_ACTION);
        }
        requireAuthor(body.by());
        targets(body); // each target checks its own values
        return body;
    }

    /** The request's configuration targets as the registry records them (null when it gives none). */
    static List<ConfigurationRevision.Target> targets(ConfigurationChange body) {
        if (body.targets() == null) {
            return null;
        }
        List<ConfigurationRevision.Target> targets = new ArrayList<>();
        for (ConfigurationTarget target : body.targets()) {
            if (target == null) {
                throw new IllegalArgumentException("targets: an entry is null");
            }
            targets.add(new ConfigurationRevision.Target(target.pid(), target.range(), target.nodes(),
                    target.properties()));
        }
        return targets;
    }

    private static void requireAuthor(String by) {
        if (by != null) {
            Text.requirePrintable(by, "by", Text.MAX_AUTHOR);
        }
    }

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
        T value = AdminJson.read(body, type);
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
