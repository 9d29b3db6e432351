package dev.vessel.host.internal.artifact;

/**
 * Caps a byte rate: a bucket refilled at {@code bytesPerSecond}, at most one second's worth deep. Callers take
 * tokens before sending and wait when the bucket is empty. A rate of 0 means unlimited.
 */
public final class TokenBucket {
    private final long bytesPerSecond;
    private double tokens;
    private long refilledAt = System.nanoTime();

    public TokenBucket(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate must be >= 0 bytes/s; got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
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
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000)); // this is the rate limit itself
        }
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(bytesPerSecond, tokens + (now - refilledAt) / 1e9 * bytesPerSecond);
        refilledAt = now;
    }
}
