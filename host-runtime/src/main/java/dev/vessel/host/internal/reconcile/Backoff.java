package dev.vessel.host.internal.reconcile;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: the n-th retry in a row waits a random time between half and all of
 * {@code min(cap, base * 2^(n-1))}, so nodes that failed together do not retry together.
 */
record Backoff(Duration base, Duration cap) {
    Backoff {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap; got " + base + " and " + cap);
        }
    }

    /** How long to wait after {@code failures} failures in a row (at least 1). */
    Duration delay(int failures) {
        long capMillis = cap.toMillis();
        long full = base.toMillis() << Math.min(30, Math.max(0, failures - 1));
        long bounded = full <= 0 || full > capMillis ? capMillis : full;
        return Duration.ofMillis(bounded / 2 + ThreadLocalRandom.current().nextLong(bounded / 2 + 1));
    }
}
