package dev.vessel.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a call returned and who answered it.
 *
 * @param body       the method's return value as JSON ({@code null} JSON for void)
 * @param version    the release version that answered (the node's {@code Vessel-Version} header)
 * @param instanceId the registry instance that answered
 * @param attempts   how many instances were tried, 1 when the first one answered
 */
public record CallResult(JsonNode body, String version, String instanceId, int attempts) {
    private static final ObjectMapper VALUES = new ObjectMapper();

    /** Maps the body onto {@code type} (a JDK or application type; no container classes ever reach here). */
    public <T> T as(Class<T> type) {
        try {
            return VALUES.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("result " + body + " does not map onto " + type.getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The body as text: a JSON string's value, otherwise the JSON itself. */
    public String text() {
        return body.isTextual() ? body.textValue() : body.toString();
    }
}
