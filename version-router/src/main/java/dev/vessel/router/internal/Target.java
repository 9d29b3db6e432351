package dev.vessel.router.internal;

import dev.vessel.registry.InstanceRecord;

/** One instance as a routing table sees it: its record, this client's stats for it, and its version group. */
public final class Target {
    private final InstanceRecord record;
    private final InstanceStats stats;
    private final VersionGroup group;
    private final double publishedLoad;

    Target(InstanceRecord record, InstanceStats stats, VersionGroup group) {
        this.record = record;
        this.stats = stats;
        this.group = group;
        this.publishedLoad = record.load();
    }

    public InstanceRecord record() {
        return record;
    }

    /** This client's calls in flight to the instance. */
    public int inFlight() {
        return stats.inFlight();
    }

    InstanceStats stats() {
        return stats;
    }

    /** Marks a call to this instance as started; pair with {@link #end()}. */
    public void begin() {
        stats.begin();
        group.inFlight().incrementAndGet();
    }

    public void end() {
        stats.end();
        group.inFlight().decrementAndGet();
    }

    public void succeeded(long now) {
        stats.succeeded(now, group.policy());
    }

    /** Counts a failed call against the instance; returns whether that ejected it. */
    public boolean failed(long now) {
        return stats.failed(now, group.policy(), group);
    }

    /** This client's calls in flight to the instance plus the load its node last published. */
    double score() {
        return stats.inFlight() + publishedLoad;
    }

    boolean available(Tried tried, long now) {
        return !stats.ejected(now) && !tried.contains(stats);
    }

    @Override
    public String toString() {
        return record.id();
    }
}
