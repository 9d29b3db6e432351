package dev.vessel.host.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkheadTest {
    private final ThreadGroup group = new ThreadGroup("bulkhead-test");
    private final Bulkhead bulkhead = new Bulkhead(group, "test", new Bulkhead.Limits(64, 8));

    @AfterEach
    void shutdown() {
        bulkhead.shutdown();
    }

    @Test
    void callsOneAfterAnotherUseOneThreadNotOnePerCallUpToTheLimit() throws Exception {
        for (int i = 0; i < 200; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            assertThat(bulkhead.trySubmit(ran::countDown)).isTrue();
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> bulkhead.inFlight() == 0);
        }
        assertThat(group.activeCount()).isEqualTo(1);
    }

    @Test
    void threadsGrowWithTheCallsRunningAtOnceAndRefuseBeyondTheLimits() throws Exception {
        Bulkhead small = new Bulkhead(group, "small", new Bulkhead.Limits(4, 2));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        try {
            for (int i = 0; i < 6; i++) {
                assertThat(small.trySubmit(() -> {
                    running.incrementAndGet();
                    awaitQuietly(release);
                })).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 4);
            assertThat(small.trySubmit(() -> { })).as("4 running and 2 waiting: full").isFalse();
            assertThat(small.refused()).isEqualTo(1);
            assertThat(group.activeCount()).isEqualTo(4);
        } finally {
            release.countDown();
            small.shutdown();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 6);
    }

    @Test
    void aLimitLoweredWhileCallsRunHoldsNewCallsToItAndRaisingItLetsMoreRunAtOnce() throws Exception {
        Bulkhead resized = new Bulkhead(group, "resized", new Bulkhead.Limits(8, 0));
        try {
            CountDownLatch first = new CountDownLatch(1);
            AtomicInteger finished = new AtomicInteger();
            for (int i = 0; i < 8; i++) {
                assertThat(resized.trySubmit(() -> {
                    awaitQuietly(first);
                    finished.incrementAndGet();
                })).isTrue();
            }
            resized.resize(new Bulkhead.Limits(2, 0));
            assertThat(resized.trySubmit(() -> { })).as("8 in flight, limit now 2").isFalse();
            first.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> finished.get() == 8);

            resized.resize(new Bulkhead.Limits(16, 0));
            CountDownLatch started = new CountDownLatch(16);
            CountDownLatch hold = new CountDownLatch(1);
            for (int i = 0; i < 16; i++) {
                assertThat(resized.trySubmit(() -> {
                    started.countDown();
                    awaitQuietly(hold);
                })).isTrue();
            }
            assertThat(started.await(5, TimeUnit.SECONDS)).as("16 running at once").isTrue();
            assertThat(resized.trySubmit(() -> { })).isFalse();
            hold.countDown();
        } finally {
            resized.shutdown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
