package dev.vessel.router;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a call returned and who answered it.
 *
 * <p>{@link #as(Class)} maps the body with the mapper of the {@link VesselClient} that made the call, never a
 * process-wide one: a mapper caches the classes it has seen, and inside OSGi a shared cache would keep an
 * application bundle's classes alive after it is refreshed.
 */
public final class CallResult {
    private final JsonNode body;
    private final String version;
    private final String instanceId;
    private final int attempts;
    private final ObjectMapper mapper;

    CallResult(JsonNode body, String version, String instanceId, int attempts, ObjectMapper mapper) {
        this.body = requireNonNull(body, "body cannot be null");
        this.version = version;
        this.instanceId = instanceId;
        this.attempts = attempts;
        this.mapper = mapper;
    }

    /** The method's return value as JSON ({@code null} JSON for void). */
    public JsonNode body() {
        return body;
    }

    /** The release version that answered (the node's {@code Vessel-Version} header). */
    public String version() {
        return version;
    }

    /** The registry instance that answered. */
    public String instanceId() {
        return instanceId;
    }

    /** How many instances were tried; 1 when the first one answered. */
    public int attempts() {
        return attempts;
    }

    /** Maps the body onto {@code type}. */
    public <T> T as(Class<T> type) {
        try {
            return mapper.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("result " + body + " does not map onto " + type.getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The body as text: a JSON string's value, otherwise the JSON itself. */
    public String text() {
        return body.isTextual() ? body.textValue() : body.toString();
    }

    @Override
    public String toString() {
        return "CallResult[" + text() + " from " + instanceId + " (version " + version + "), attempts " + attempts
                + "]";
    }
}
