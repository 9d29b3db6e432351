package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;

/**
 * A call's body: exactly one JSON array of arguments and nothing after it. Its size is checked by streaming
 * through it once before any tree is built, so a body of a million empty objects costs a scan, not a million
 * nodes.
 */
public final class CallArguments {
    /** Most JSON tokens in one call body. */
    static final int MAX_TOKENS = 100_000;
    /** Deepest nesting of arrays and objects. */
    static final int MAX_DEPTH = 64;

    private static final ObjectReader READER = JsonResponses.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private CallArguments() {}

    /**
     * @throws ApiError 400 {@code MALFORMED_JSON} for what is not JSON or has content after it,
     *                  {@code BAD_ARGUMENTS} for JSON that is not an array, 413 {@code TOO_LARGE} past the limits
     */
    public static JsonNode parse(byte[] body) {
        try (JsonParser scan = JsonResponses.MAPPER.getFactory().createParser(body)) {
            JsonToken first = scan.nextToken();
            if (first != JsonToken.START_ARRAY) {
                throw new ApiError(ErrorCode.BAD_ARGUMENTS, "the body must be a JSON array of arguments, e.g. [\"Ada\"]");
            }
            int tokens = 1;
            int depth = 1;
            while (depth > 0) {
                JsonToken token = scan.nextToken();
                if (token == null) {
                    throw new ApiError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON: it ends inside the array");
                }
                if (++tokens > MAX_TOKENS) {
                    throw new ApiError(ErrorCode.TOO_LARGE, "a call's arguments have at most " + MAX_TOKENS
                            + " JSON tokens");
                }
                if (token.isStructStart() && ++depth > MAX_DEPTH) {
                    throw new ApiError(ErrorCode.TOO_LARGE, "a call's arguments nest at most " + MAX_DEPTH + " deep");
                }
                if (token.isStructEnd()) {
                    depth--;
                }
            }
            return READER.readTree(body);
        } catch (ApiError e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON" + JsonText.withoutSource(e));
        } catch (IOException e) {
            throw new ApiError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON: " + e.getMessage());
        }
    }
}
