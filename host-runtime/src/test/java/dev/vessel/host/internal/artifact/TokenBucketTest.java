package dev.vessel.host.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bucket on a clock the test moves: how long each taker is made to wait, exactly. */
class TokenBucketTest {
    private long now = 1_000_000_000L;
    private final List<Long> waits = new ArrayList<>();

    private TokenBucket bucket(long rate) {
        return new TokenBucket(rate, () -> now, nanos -> {
            waits.add(nanos);
            now += nanos; // the taker sleeps that long
        });
    }

    @Test
    void aFullBucketLetsOneSecondsWorthThroughThenPacesAtTheRate() throws InterruptedException {
        TokenBucket bucket = bucket(1000);
        bucket.take(1000);
        assertThat(waits).as("a second's worth is in the bucket").isEmpty();
        bucket.take(500);
        assertThat(waits).containsExactly(TimeUnit.MILLISECONDS.toNanos(500));
        bucket.take(250);
        assertThat(waits).containsExactly(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void idleTimeRefillsTheBucketButNeverBeyondOneSecondsWorth() throws InterruptedException {
        TokenBucket bucket = bucket(1000);
        bucket.take(1000);
        now += TimeUnit.MILLISECONDS.toNanos(300);
        bucket.take(300);
        assertThat(waits).as("300 ms of idleness earned 300 bytes").isEmpty();
        now += TimeUnit.SECONDS.toNanos(60);
        bucket.take(1000);
        assertThat(waits).isEmpty();
        bucket.take(100);
        assertThat(waits).as("a long idle time still left only one second's worth")
                .containsExactly(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void aRateOfZeroNeverWaits() throws InterruptedException {
        TokenBucket bucket = bucket(0);
        for (int i = 0; i < 100; i++) {
            bucket.take(Integer.MAX_VALUE);
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void aNegativeRateIsRefused() {
        assertThatThrownBy(() -> new TokenBucket(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rate must be >= 0 bytes/s; got -1");
    }
}
