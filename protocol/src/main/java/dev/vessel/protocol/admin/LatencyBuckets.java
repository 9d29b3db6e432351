package dev.vessel.protocol.admin;

import java.util.List;

/**
 * The latency histogram every node keeps per version and {@code GET /v1/admin/calls} returns: bucket {@code i}
 * counts calls that took at most {@link #upperMicros(int) upperMicros(i)}, each bound 1.25 times the one before,
 * from 100 µs; the last bucket takes everything slower. Written once here so that the node that counts and the
 * driver that sums and reads quantiles from the counts of many nodes agree on every bound. With bounds 25 % apart a
 * quantile read from the buckets is within 12 % of the exact one, plenty for gates that compare percentiles
 * against thresholds or against each other by ratios like 1.5.
 */
public final class LatencyBuckets {
    /** How many buckets a histogram has. */
    public static final int COUNT = 64;
    private static final double FIRST_MICROS = 100;
    private static final double GROWTH = 1.25;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    private static final double[] UPPER = new double[COUNT];

    static {
        for (int i = 0; i < COUNT; i++) {
            UPPER[i] = i == COUNT - 1 ? Double.POSITIVE_INFINITY : FIRST_MICROS * Math.pow(GROWTH, i);
        }
    }

    private LatencyBuckets() {}

    /** The bucket a call of {@code nanos} falls in. */
    public static int index(long nanos) {
        double micros = nanos / 1000.0;
        if (micros <= FIRST_MICROS) {
            return 0;
        }
        int i = (int) Math.min(COUNT - 1, Math.ceil(Math.log(micros / FIRST_MICROS) / LOG_GROWTH - 1e-9));
        // the logarithm can land one off at a bound; the bounds decide
        while (i > 0 && micros <= UPPER[i - 1]) {
            i--;
        }
        while (i < COUNT - 1 && micros > UPPER[i]) {
            i++;
        }
        return i;
    }

    /** The largest latency bucket {@code i} counts, in microseconds (infinite for the last). */
    public static double upperMicros(int i) {
        return UPPER[i];
    }

    /**
     * The {@code q} quantile (0-1) of the calls {@code counts} holds, in milliseconds, interpolated within its bucket
     * geometrically (the buckets grow geometrically); NaN when there are no calls. A quantile in the last bucket is
     * its lower bound: all that is known is that those calls were at least that slow.
     */
    public static double quantileMillis(List<Long> counts, double q) {
        long total = 0;
        for (Long count : counts) {
            total += count;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = Math.max(1, Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.size(); i++) {
            long inBucket = counts.get(i);
            if (inBucket > 0 && seen + inBucket >= rank) {
                double lower = i == 0 ? FIRST_MICROS / GROWTH : UPPER[i - 1];
                if (i == COUNT - 1) {
                    return lower / 1000;
                }
                double within = (rank - seen) / inBucket;
                return lower * Math.pow(UPPER[i] / lower, within) / 1000;
            }
            seen += inBucket;
        }
        return UPPER[COUNT - 2] / 1000;
    }
}
