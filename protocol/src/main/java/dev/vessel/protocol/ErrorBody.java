package dev.vessel.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The body of every refusal, of a call and of the admin API alike: {@code {"error": CODE, "message": ...}}, the
 * code one of {@link ErrorCode}'s names (or {@code HTTP_<status>} when something other than a node answered).
 */
public record ErrorBody(String error, String message) {
    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(code.name(), message);
    }

    /**
     * The fields of an answer already read as JSON; {@code error} and {@code message} are null when the answer
     * lacks them (an answer that is not a node's).
     */
    public static ErrorBody from(JsonNode answer) {
        return new ErrorBody(text(answer, "error"), text(answer, "message"));
    }

    private static String text(JsonNode answer, String field) {
        JsonNode value = answer == null ? null : answer.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    /** The catalogued code, when the error is one. */
    public Optional<ErrorCode> code() {
        return ErrorCode.of(error);
    }
}
