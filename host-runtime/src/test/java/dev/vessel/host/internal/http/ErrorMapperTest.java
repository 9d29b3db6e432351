package dev.vessel.host.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.internal.release.ReleaseRefused;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.registry.ConfigurationConflictException;
import dev.vessel.registry.DeploymentConflictException;
import dev.vessel.registry.RegistryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.BadMessageException;
import org.junit.jupiter.api.Test;

/** Every kind of failure an endpoint throws, and the one answer each becomes. */
class ErrorMapperTest {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    record Request(String service, int weight) {
        Request {
            if (weight < 1) {
                throw new IllegalArgumentException("weight must be 1-100; got " + weight);
            }
        }
    }

    private static void assertMaps(Throwable failure, int status, ErrorCode code, String message) {
        ApiError error = ErrorMapper.map(failure);
        assertThat(error.status()).as("status").isEqualTo(status);
        assertThat(error.code()).as("code").isEqualTo(code);
        assertThat(error.getMessage()).as("message").isEqualTo(message);
    }

    @Test
    void failuresThatSayWhatWentWrongKeepTheirCodeAndMessage() {
        ApiError thrown = new ApiError(ErrorCode.UNKNOWN_ARTIFACT, "no such artifact");
        assertThat(ErrorMapper.map(thrown)).isSameAs(thrown);
        assertMaps(new ReleaseRefused(ErrorCode.BASELINE_REFUSED, "declares too low a version"), 422,
                ErrorCode.BASELINE_REFUSED, "declares too low a version");
        assertMaps(new ReleaseRefused(ErrorCode.RELEASE_EXISTS, "other bundles"), 409, ErrorCode.RELEASE_EXISTS,
                "other bundles");
        assertMaps(new DeploymentConflictException("someone else changed it"), 409, ErrorCode.CONFLICT,
                "someone else changed it");
        assertMaps(new ConfigurationConflictException("revision moved"), 409, ErrorCode.CONFLICT, "revision moved");
        assertMaps(new RegistryException("no quorum"), 503, ErrorCode.REGISTRY_UNAVAILABLE, "no quorum");
        assertMaps(new IllegalArgumentException("weight must be 1-100"), 400, ErrorCode.BAD_REQUEST,
                "weight must be 1-100");
    }

    @Test
    void aFailureIsFoundInsideTheFuturesThatCarriedIt() {
        assertMaps(new CompletionException(new ExecutionException(new RegistryException("lost"))), 503,
                ErrorCode.REGISTRY_UNAVAILABLE, "lost");
    }

    @Test
    void unreadableBodiesSayWhereAndWhyWithoutNamingTheNodesClasses() {
        ApiError unknown = ErrorMapper.map(refusal("{\"service\":\"greeter\",\"weight\":5,\"wieght\":1}"));
        assertThat(unknown.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(unknown.getMessage()).startsWith("unreadable request body: unknown field 'wieght' (line 1");

        ApiError wrongType = ErrorMapper.map(refusal("{\"service\":\"greeter\",\"weight\":\"many\"}"));
        assertThat(wrongType.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(wrongType.getMessage()).startsWith("unreadable request body: weight: wrong type or value")
                .doesNotContain("ErrorMapperTest").doesNotContain("dev.vessel");

        ApiError refused = ErrorMapper.map(refusal("{\"service\":\"greeter\",\"weight\":0}"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.getMessage()).isEqualTo("weight must be 1-100; got 0");

        ApiError broken = ErrorMapper.map(refusal("{\"service\":"));
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.getMessage()).startsWith("unreadable request body");
    }

    @Test
    void jettysOwnRefusalsKeepTheirStatus() {
        assertMaps(new BadMessageException(413, "too big"), 413, ErrorCode.TOO_LARGE, "too big");
        assertMaps(new BadMessageException(431, "headers"), 431, ErrorCode.HEADERS_TOO_LARGE, "headers");
    }

    @Test
    void anyOtherFailureIsAnInternalErrorThatNamesOnlyItsKind() {
        ApiError error = ErrorMapper.map(new IllegalStateException("secret path /var/lib/vessel/x"));
        assertThat(error.status()).isEqualTo(500);
        assertThat(error.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(error.getMessage()).contains("IllegalStateException").doesNotContain("/var/lib");
    }

    private static Throwable refusal(String json) {
        try {
            STRICT.readValue(json, Request.class);
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected " + json + " to be refused");
    }
}
