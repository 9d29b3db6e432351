package dev.vessel.router.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durations of a service's recent successful attempts, for the hedging delay: a second attempt goes out when
 * the first is slower than the recent {@value #PERCENTILE}th percentile. A fixed ring written without locks (a
 * lost or torn sample only blurs the estimate); the percentile is recomputed every {@value #REFRESH} samples, so
 * a call reads one volatile field.
 */
public final class LatencyWindow {
    static final int SIZE = 256;
    static final int PERCENTILE = 95;
    private static final int REFRESH = 32;
    /** Fewer samples than this say too little to hedge on. */
    private static final int MIN_SAMPLES = 32;

    private final long[] samples = new long[SIZE];
    private final AtomicLong count = new AtomicLong();
    private volatile long percentileNanos = -1;

    public void record(long nanos) {
        long n = count.getAndIncrement();
        samples[(int) (n % SIZE)] = nanos;
        if ((n + 1) % REFRESH == 0 && n + 1 >= MIN_SAMPLES) {
            long[] copy = Arrays.copyOf(samples, (int) Math.min(SIZE, n + 1));
            Arrays.sort(copy);
            percentileNanos = copy[Math.min(copy.length - 1, copy.length * PERCENTILE / 100)];
        }
    }

    /** The recent high percentile in nanoseconds, or -1 while there are too few samples. */
    public long percentileNanos() {
        return percentileNanos;
    }
}
