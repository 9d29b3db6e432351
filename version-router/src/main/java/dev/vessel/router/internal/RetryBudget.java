package dev.vessel.router.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps retries of calls that may already have run, so a failing service does not get its load multiplied:
 * every call earns {@code ratio} of a retry, a retry spends one, and at most {@code burst} are saved up (the
 * budget starts full). Kept in thousandths so it is one atomic long.
 */
public final class RetryBudget {
    private static final long ONE = 1000;

    private final long earnedPerCall;
    private final long max;
    private final AtomicLong balance;

    public RetryBudget(double ratio, int burst) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("retry ratio must be 0-1; got " + ratio);
        }
        if (burst < 0) {
            throw new IllegalArgumentException("retry burst must be >= 0; got " + burst);
        }
        this.earnedPerCall = Math.round(ratio * ONE);
        this.max = burst * ONE;
        this.balance = new AtomicLong(max);
    }

    public void called() {
        balance.getAndUpdate(current -> Math.min(max, current + earnedPerCall));
    }

    /** Spends one retry if the budget has one. */
    public boolean tryRetry() {
        while (true) {
            long current = balance.get();
            if (current < ONE) {
                return false;
            }
            if (balance.compareAndSet(current, current - ONE)) {
                return true;
            }
        }
    }
}
