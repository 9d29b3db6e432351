package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.apache.curator.RetryPolicy;
import org.apache.curator.RetrySleeper;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * A time budget for the registry operations of one thread. A {@link RegistryConnection} retries an operation the
 * registry did not answer for up to tens of seconds, which is right for the node's own background work (a server
 * failover takes seconds) but not for a request somebody is waiting on: between {@link #start} and {@link #clear},
 * an operation this thread makes stops retrying once the budget is spent, and fails.
 */
public final class RetryBudget {
    private static final ThreadLocal<Long> SPENT_AT = new ThreadLocal<>();

    private RetryBudget() {}

    /** From now until {@link #clear()}, this thread's registry operations stop retrying after {@code budget}. */
    public static void start(Duration budget) {
        requireNonNull(budget, "budget cannot be null");
        SPENT_AT.set(System.nanoTime() + budget.toNanos());
    }

    public static void clear() {
        SPENT_AT.remove();
    }

    /** The retry policy of a {@link RegistryConnection}: exponential backoff, within the thread's budget if any. */
    static RetryPolicy policy() {
        ExponentialBackoffRetry backoff = new ExponentialBackoffRetry(200, 10, 5_000);
        return new RetryPolicy() {
            @Override
            public boolean allowRetry(int retryCount, long elapsedTimeMs, RetrySleeper sleeper) {
                Long spentAt = SPENT_AT.get();
                return (spentAt == null || System.nanoTime() - spentAt < 0)
                        && backoff.allowRetry(retryCount, elapsedTimeMs, sleeper);
            }

            @Override
            public boolean allowRetry(Throwable exception) {
                return backoff.allowRetry(exception);
            }
        };
    }
}
