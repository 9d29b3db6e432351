package dev.vessel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Every refusal has one body, written and read the same way by nodes, the client and the CLI. */
class ErrorBodyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRefusalIsWrittenAsErrorAndMessage() throws Exception {
        assertThat(JSON.writeValueAsString(ErrorBody.of(ErrorCode.OVERLOADED, "queue full")))
                .isEqualTo("{\"error\":\"OVERLOADED\",\"message\":\"queue full\"}");
    }

    @Test
    void aReadBodyGivesItsCatalogedCode() throws Exception {
        ErrorBody body = ErrorBody.from(JSON.readTree("{\"error\":\"METHOD_THREW\",\"message\":\"boom\",\"x\":1}"));
        assertThat(body).isEqualTo(new ErrorBody("METHOD_THREW", "boom"));
        assertThat(body.code()).contains(ErrorCode.METHOD_THREW);
    }

    @Test
    void anAnswerThatIsNotANodesHasNoFieldsAndNoCode() throws Exception {
        assertThat(ErrorBody.from(null)).isEqualTo(new ErrorBody(null, null));
        ErrorBody odd = ErrorBody.from(JSON.readTree("{\"error\":{\"nested\":true},\"message\":7}"));
        assertThat(odd).isEqualTo(new ErrorBody(null, null));
        assertThat(ErrorBody.from(JSON.readTree("{\"error\":\"SOMETHING_NEW\"}")).code()).isEmpty();
    }
}
