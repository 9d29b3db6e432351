package dev.vessel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void aCodeIsFoundByItsNameAndAnUnknownOneIsNot() {
        assertThat(ErrorCode.of("METHOD_THREW")).contains(ErrorCode.METHOD_THREW);
        assertThat(ErrorCode.of("A_CODE_OF_A_NEWER_NODE")).isEmpty();
        assertThat(ErrorCode.of(null)).isEmpty();
    }

    @Test
    void onlyCallsThatWereNotExecutedMayBeRetriedElsewhere() {
        Set<ErrorCode> retryable = EnumSet.noneOf(ErrorCode.class);
        for (ErrorCode code : ErrorCode.values()) {
            if (code.retryElsewhere()) {
                retryable.add(code);
            }
        }
        assertThat(retryable).containsExactlyInAnyOrder(ErrorCode.UNAVAILABLE, ErrorCode.OVERLOADED,
                ErrorCode.DEADLINE_EXCEEDED, ErrorCode.BUSY);
        assertThat(ErrorCode.METHOD_THREW.retryElsewhere()).as("the method ran: never run it twice").isFalse();
    }

    @Test
    void everyCodeIsAnErrorStatusAndExitsAsItsStatusSays() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(code.status()).as(code.name()).isBetween(400, 599);
            if (code != ErrorCode.REGISTRY_UNAVAILABLE) {
                assertThat(code.exitCode()).as(code.name()).isEqualTo(ErrorCode.exitCodeOf(code.status()));
            }
        }
        // the one exception: a node without its registry exits as the CLI's own unreachable ZooKeeper does
        assertThat(ErrorCode.REGISTRY_UNAVAILABLE.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(ErrorCode.TOO_LARGE.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(ErrorCode.FORBIDDEN.exitCode()).isEqualTo(ExitCodes.UNAUTHORIZED);
        assertThat(ErrorCode.CONFLICT.exitCode()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(ErrorCode.exitCodeOf(502)).isEqualTo(ExitCodes.FAILED);
    }
}
