package dev.vessel.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node counts calls into the buckets and the driver reads quantiles back: both within the buckets' 12 %. */
class LatencyBucketsTest {
    @Test
    void eachLatencyFallsInTheBucketWhoseBoundsHoldIt() {
        for (long micros : new long[] {1, 100, 101, 250, 1_000, 4_321, 25_000, 1_000_000, 30_000_000}) {
            int i = LatencyBuckets.index(micros * 1000);
            assertThat(micros).as("upper bound of bucket %d", i).isLessThanOrEqualTo(
                    (long) Math.ceil(LatencyBuckets.upperMicros(i)));
            if (i > 0) {
                assertThat((double) micros).isGreaterThan(LatencyBuckets.upperMicros(i - 1));
            }
        }
        assertThat(LatencyBuckets.index(Long.MAX_VALUE)).isEqualTo(LatencyBuckets.COUNT - 1);
    }

    @Test
    void aQuantileReadFromTheBucketsIsWithinTwelvePercent() {
        List<Long> counts = new ArrayList<>(Collections.nCopies(LatencyBuckets.COUNT, 0L));
        // 990 calls at 2 ms, 10 at 40 ms: p50 is 2 ms, p99 is 2 ms, p99.5 is 40 ms
        counts.set(LatencyBuckets.index(2_000_000), 990L);
        counts.set(LatencyBuckets.index(40_000_000), 10L);
        assertThat(LatencyBuckets.quantileMillis(counts, 0.5)).isBetween(1.76, 2.24);
        assertThat(LatencyBuckets.quantileMillis(counts, 0.995)).isBetween(35.2, 44.8);
        assertThat(LatencyBuckets.quantileMillis(new ArrayList<>(Collections.nCopies(LatencyBuckets.COUNT, 0L)), 0.99))
                .isNaN();
    }
}
