package dev.vessel.host.internal.artifact;

import java.util.function.LongSupplier;

/**
 * Caps a byte rate: a bucket refilled at {@code bytesPerSecond}, at most one second's worth deep. Callers take
 * tokens before sending and wait when the bucket is empty. A rate of 0 means unlimited.
 */
public final class TokenBucket {
    /** How a taker waits for its tokens. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private double tokens;
    private long refilledAt;

    public TokenBucket(long bytesPerSecond) {
        this(bytesPerSecond, System::nanoTime,
                nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000))); // the rate limit itself
    }

    TokenBucket(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate must be >= 0 bytes/s; got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.tokens = bytesPerSecond;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** Blocks until {@code bytes} may be sent. */
    public void take(int bytes) throws InterruptedException {
        if (bytesPerSecond == 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            refill();
            tokens -= bytes;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / bytesPerSecond * 1e9);
        }
        if (waitNanos > 0) {
            sleeper.sleep(waitNanos);
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(bytesPerSecond, tokens + (now - refilledAt) / 1e9 * bytesPerSecond);
        refilledAt = now;
    }
}
