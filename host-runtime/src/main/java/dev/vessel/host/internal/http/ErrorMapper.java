package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.release.ReleaseRefused;
import dev.vessel.registry.DeploymentConflictException;
import dev.vessel.registry.RegistryException;
import dev.vessel.registry.Text;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes an answer: every endpoint throws, and this maps what it threw to a status, a
 * code and a message. Bad input is a 4xx with a specific code; only a failure of the node itself is a 500
 * {@code INTERNAL}, which names no more than the kind of failure (the details go to the node's log). 500
 * {@code METHOD_THREW}, a release method's own exception, is answered by the data plane itself.
 */
public final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {}

    public static ApiError map(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ApiError error) {
            return error;
        }
        if (t instanceof ArtifactStore.Rejected rejected) {
            return new ApiError(rejected.code(), rejected.getMessage());
        }
        if (t instanceof ArtifactStore.StoreWriteFailed full) {
            return new ApiError(ErrorCode.STORE_FULL, full.getMessage());
        }
        if (t instanceof ReleaseRefused refused) {
            return new ApiError(refused.code(), refused.getMessage());
        }
        if (t instanceof DeploymentConflictException || t instanceof dev.vessel.registry.ConfigurationConflictException
                || t instanceof dev.vessel.registry.RuleConflictException
                || t instanceof dev.vessel.registry.RolloutConflictException) {
            return new ApiError(ErrorCode.CONFLICT, t.getMessage());
        }
        if (t instanceof RegistryException) {
            return new ApiError(ErrorCode.REGISTRY_UNAVAILABLE, t.getMessage());
        }
        if (t instanceof JsonMappingException mapping && mapping.getCause() instanceof IllegalArgumentException bad) {
            return ApiError.badRequest(bad.getMessage()); // a request record refused its own values
        }
        if (t instanceof UnrecognizedPropertyException unknown) {
            return ApiError.badRequest("unreadable request body: unknown field " + Text.quote(unknown.getPropertyName())
                    + where(unknown));
        }
        if (t instanceof JsonMappingException mapping) {
            // Jackson's own text names the node's classes: say which field was wrong instead
            return ApiError.badRequest("unreadable request body: " + path(mapping) + "wrong type or value"
                    + where(mapping));
        }
        if (t instanceof JsonProcessingException json) {
            return ApiError.badRequest("unreadable request body" + JsonText.withoutSource(json));
        }
        if (t instanceof IllegalArgumentException) {
            return ApiError.badRequest(String.valueOf(t.getMessage()));
        }
        if (t instanceof BadMessageException bad) {
            return new ApiError(bad.getCode(), JsonErrorHandler.code(bad.getCode()), String.valueOf(bad.getReason()));
        }
        return new ApiError(ErrorCode.INTERNAL, "the node could not handle this request (" + t.getClass().getSimpleName()
                + "); its log has the details");
    }

    /** Answers {@code failure} on the exchange, or fails the exchange if an answer has already begun. */
    public static void answer(Request request, Response response, Callback callback, Throwable failure) {
        ApiError error = map(failure);
        if (error.status() == 500) {
            LOG.warn("{} {} failed", request.getMethod(), Request.getPathInContext(request), unwrap(failure));
        }
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        JsonResponses.error(response, callback, error.status(), error.code(), error.getMessage());
    }

    /** {@code "artifacts[0].sha256: "}, or nothing for the body as a whole. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(Text.bounded(ref.getFieldName(), 64));
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "" : path + ": ";
    }

    private static String where(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
