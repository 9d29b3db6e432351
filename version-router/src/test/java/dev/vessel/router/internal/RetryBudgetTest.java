package dev.vessel.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    @Test
    void aFullBurstThenOneRetryPerFiveCalls() {
        RetryBudget budget = new RetryBudget(0.2, 3);
        int granted = 0;
        while (budget.tryRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(3);
        for (int call = 0; call < 4; call++) {
            budget.called();
            assertThat(budget.tryRetry()).isFalse();
        }
        budget.called();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();
        // savings are capped at the burst
        for (int call = 0; call < 1000; call++) {
            budget.called();
        }
        granted = 0;
        while (budget.tryRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(3);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new RetryBudget(1.5, 1)).hasMessageContaining("retry ratio must be 0-1");
        assertThatThrownBy(() -> new RetryBudget(0.1, -1)).hasMessageContaining("burst must be >= 0");
    }
}
