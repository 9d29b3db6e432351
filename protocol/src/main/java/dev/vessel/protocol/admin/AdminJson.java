package dev.vessel.protocol.admin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;

/**
 * The admin API's JSON, both ways: the CLI writes request bodies with {@link #write}, the node reads them with
 * {@link #read}, strictly (an unknown field, trailing content or a number for an enum is an error, never
 * ignored), so a field one side misspells is refused instead of silently dropped. The node writes its answers
 * ({@link AdminAnswers}) with {@link #write} too, and the CLI reads them with {@link #readAnswer}.
 */
public final class AdminJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader STRICT = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .with(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

    /** Answers are read leniently: a newer node may add fields an older command does not know. */
    private static final ObjectReader LENIENT = MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private AdminJson() {}

    public static byte[] write(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + body.getClass().getSimpleName() + " as JSON: "
                    + e.getMessage(), e);
        }
    }

    /**
     * {@code json} as {@code type}.
     *
     * @throws IOException Jackson's exception for anything unreadable, with the path and location of the problem
     */
    public static <T> T read(byte[] json, Class<T> type) throws IOException {
        return STRICT.forType(type).readValue(json);
    }

    /**
     * An answer of the node, {@code envelope} (one of {@link AdminAnswers}) with the registry records it carries
     * as {@code parameters}; fields this side does not know are ignored.
     *
     * @throws IOException Jackson's exception for anything unreadable
     */
    public static <T> T readAnswer(byte[] json, Class<T> envelope, Class<?>... parameters) throws IOException {
        JavaType type = parameters.length == 0 ? MAPPER.constructType(envelope)
                : MAPPER.getTypeFactory().constructParametricType(envelope, parameters);
        return LENIENT.forType(type).readValue(json);
    }
}
