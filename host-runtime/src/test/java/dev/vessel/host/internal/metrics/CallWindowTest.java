package dev.vessel.host.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.protocol.admin.LatencyBuckets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A container's calls per second: windows sum exactly the seconds asked for, and a slot a ring old is forgotten. */
class CallWindowTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final CallWindow window = new CallWindow(now::get);

    @Test
    void aWindowSumsTheSecondsItCoversAndNothingOlder() {
        window.ran(false, TimeUnit.MILLISECONDS.toNanos(2));
        window.ran(true, TimeUnit.MILLISECONDS.toNanos(40));
        window.refused();
        now.addAndGet(5_000);
        window.ran(false, TimeUnit.MILLISECONDS.toNanos(2));

        CallWindow.Totals lastTwo = window.last(2);
        assertThat(lastTwo.calls()).isEqualTo(1);
        assertThat(lastTwo.failures()).isZero();

        CallWindow.Totals lastSix = window.last(6);
        assertThat(lastSix.calls()).isEqualTo(4);
        assertThat(lastSix.failures()).as("the failed call and the refusal").isEqualTo(2);
        assertThat(lastSix.latency().stream().mapToLong(Long::longValue).sum()).as("refusals have no latency")
                .isEqualTo(3);
        assertThat(lastSix.latency().get(LatencyBuckets.index(TimeUnit.MILLISECONDS.toNanos(40)))).isEqualTo(1);
    }

    @Test
    void aSlotIsClearedWhenTheRingComesRoundToIt() {
        window.ran(true, 1_000_000);
        now.addAndGet(CallWindow.MAX_SECONDS * 1000L); // the same slot, a whole ring later
        window.ran(false, 1_000_000);
        CallWindow.Totals totals = window.last(CallWindow.MAX_SECONDS);
        assertThat(totals.calls()).isEqualTo(1);
        assertThat(totals.failures()).isZero();
    }

    @Test
    void nothingCalledIsAnEmptyWindow() {
        assertThat(window.last(20).calls()).isZero();
        assertThat(window.last(20).latency()).hasSize(LatencyBuckets.COUNT).containsOnly(0L);
    }
}
