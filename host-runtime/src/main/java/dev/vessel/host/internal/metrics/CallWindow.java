package dev.vessel.host.internal.metrics;

import dev.vessel.protocol.admin.LatencyBuckets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * One container's calls over the last {@link #MAX_SECONDS} seconds, in one-second slots: calls, failures and a
 * {@link LatencyBuckets} histogram per second, so that any window up to that long can be summed at once, by
 * whichever node asks, with no history kept anywhere else. A slot is reused a ring later: the first call of a new
 * second clears it (under its lock, once) before counting; every other call only increments.
 */
public final class CallWindow {
    /** The longest window a node can answer for. */
    public static final int MAX_SECONDS = (int) dev.vessel.host.rollout.RolloutRuleReader.MAX_WINDOW.toSeconds();
    private static final int CALLS = 0;
    private static final int FAILURES = 1;
    private static final int LATENCY = 2;

    private final Slot[] slots = new Slot[MAX_SECONDS];
    private final LongSupplier clockMillis;

    private static final class Slot {
        volatile long second = Long.MIN_VALUE;
        final AtomicLongArray counts = new AtomicLongArray(LATENCY + LatencyBuckets.COUNT);
    }

    public CallWindow() {
        this(System::currentTimeMillis);
    }

    CallWindow(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** A call that ran for {@code nanos}, and whether its caller saw it fail. */
    public void ran(boolean failed, long nanos) {
        ran(failed, nanos, false);
    }

    /**
     * A call that ran for {@code nanos}; {@code warmingUp}: it ran in the container's first moments, when first calls
     * load classes and run cold code, so it counts as a call (and a failure) but its latency is not the release's.
     */
    public void ran(boolean failed, long nanos, boolean warmingUp) {
        AtomicLongArray counts = current();
        counts.incrementAndGet(CALLS);
        if (failed) {
            counts.incrementAndGet(FAILURES);
        }
        if (!warmingUp) {
            counts.incrementAndGet(LATENCY + LatencyBuckets.index(nanos));
        }
    }

    /** A call refused in a way its caller sees as a failure (full, over its CPU budget, past its deadline). */
    public void refused() {
        AtomicLongArray counts = current();
        counts.incrementAndGet(CALLS);
        counts.incrementAndGet(FAILURES);
    }

    private AtomicLongArray current() {
        long second = Math.floorDiv(clockMillis.getAsLong(), 1000);
        Slot slot = slot((int) Math.floorMod(second, MAX_SECONDS));
        if (slot.second != second) {
            synchronized (slot) {
                if (slot.second != second) {
                    for (int i = 0; i < slot.counts.length(); i++) {
                        slot.counts.set(i, 0);
                    }
                    slot.second = second; // published after the clearing: a call that sees it counts on a clean slot
                }
            }
        }
        return slot.counts;
    }

    /** Slots are made on first use: a container nobody calls holds an empty ring, not 170 KB of counters. */
    private Slot slot(int index) {
        Slot slot = slots[index];
        if (slot == null) {
            synchronized (slots) {
                slot = slots[index];
                if (slot == null) {
                    slot = new Slot();
                    slots[index] = slot;
                }
            }
        }
        return slot;
    }

    /** What the last {@code seconds} (this one included, 1-{@link #MAX_SECONDS}) hold. */
    public Totals last(int seconds) {
        int span = Math.max(1, Math.min(MAX_SECONDS, seconds));
        long now = Math.floorDiv(clockMillis.getAsLong(), 1000);
        long calls = 0;
        long failures = 0;
        long[] latency = new long[LatencyBuckets.COUNT];
        for (long second = now - span + 1; second <= now; second++) {
            Slot slot;
            synchronized (slots) {
                slot = slots[(int) Math.floorMod(second, MAX_SECONDS)];
            }
            if (slot == null || slot.second != second) {
                continue; // nothing was called in that second
            }
            calls += slot.counts.get(CALLS);
            failures += slot.counts.get(FAILURES);
            for (int i = 0; i < latency.length; i++) {
                latency[i] += slot.counts.get(LATENCY + i);
            }
        }
        List<Long> buckets = new ArrayList<>(latency.length);
        for (long count : latency) {
            buckets.add(count);
        }
        return new Totals(calls, failures, buckets);
    }

    /** Calls, failures and latency buckets of a window. */
    public record Totals(long calls, long failures, List<Long> latency) {}
}
