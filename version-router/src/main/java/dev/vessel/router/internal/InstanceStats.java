package dev.vessel.router.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one client knows about one instance across routing-table swaps: its calls in flight from this client and
 * its failure and ejection history. Kept by instance id in the service's {@link LoadBook}.
 */
public final class InstanceStats {
    private final String id;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private static final long NEVER = Long.MIN_VALUE;

    /** System.nanoTime() until which the instance takes no calls (the last ejection's end), or NEVER. */
    private volatile long ejectedUntil = NEVER;
    /** Ejections since the instance last stayed healthy for a base interval; written under {@code this}. */
    private volatile int ejections;

    InstanceStats(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public int inFlight() {
        return inFlight.get();
    }

    void begin() {
        inFlight.incrementAndGet();
    }

    void end() {
        inFlight.decrementAndGet();
    }

    boolean ejected(long now) {
        long until = ejectedUntil;
        return until != NEVER && now - until < 0;
    }

    void succeeded(long now, RoutingPolicy policy) {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0); // read first: every caller thread would otherwise write this line per call
        }
        long until = ejectedUntil;
        if (ejections > 0 && until != NEVER && now - until > policy.baseEjection().toNanos()) {
            synchronized (this) {
                ejections = 0; // healthy for a whole base interval since it came back: the next ejection is short again
            }
        }
    }

    /**
     * Counts a failed call; after {@link RoutingPolicy#failuresToEject()} in a row the instance is ejected for the
     * base interval doubled per earlier ejection (up to the maximum), if {@code group} may lose one more instance.
     *
     * @return whether this failure ejected the instance
     */
    boolean failed(long now, RoutingPolicy policy, VersionGroup group) {
        if (consecutiveFailures.incrementAndGet() < policy.failuresToEject()) {
            return false;
        }
        synchronized (group.ejectionLock()) {
            if (ejected(now) || !group.mayEject(now)) {
                return false;
            }
            long interval;
            synchronized (this) {
                interval = Math.min(policy.maxEjection().toNanos(),
                        policy.baseEjection().toNanos() << Math.min(ejections, 30));
                ejections++;
            }
            ejectedUntil = now + interval;
            consecutiveFailures.set(0);
            return true;
        }
    }
}
