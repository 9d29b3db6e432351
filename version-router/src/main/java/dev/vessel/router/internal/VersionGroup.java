package dev.vessel.router.internal;

import dev.vessel.registry.InstanceRecord;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Version;

/**
 * The ACTIVE instances of one version inside a routing table, and the two ways of choosing among them:
 * power-of-two-choices on load for plain calls, and a bounded-load consistent-hash ring for keyed calls. Picks
 * read only final arrays and atomics; nothing is allocated once the ring exists.
 */
final class VersionGroup {
    /**
     * Loads less than one call in flight apart count as equal. Published loads are up to an interval old and
     * fractional for fast services; compared exactly, a stale 0.05 against a fresh 0 would send every call of a
     * lightly loaded client to one instance until the next publication, then all to the other.
     */
    static final double SCORE_TOLERANCE = 1.0;

    private final Version version;
    private final Target[] targets;
    private final int weight;
    private final AtomicInteger inFlight;
    private final RoutingPolicy policy;
    /** Built on the first keyed pick, or taken over from the previous table when the members are the same. */
    private volatile HashRing ring;

    VersionGroup(Version version, List<InstanceRecord> members, LoadBook book, RoutingPolicy policy,
            VersionGroup previous) {
        this.version = version;
        this.policy = policy;
        this.inFlight = book.versionInFlight(version);
        this.targets = new Target[members.size()];
        int maxWeight = 0;
        for (int i = 0; i < targets.length; i++) {
            InstanceRecord record = members.get(i);
            targets[i] = new Target(record, book.instance(record), this);
            maxWeight = Math.max(maxWeight, record.weight());
        }
        this.weight = maxWeight;
        if (previous != null && previous.policy.virtualNodes() == policy.virtualNodes() && sameIds(previous)) {
            this.ring = previous.ring; // a ring maps points to member indexes, so the order must match too
        }
    }

    private boolean sameIds(VersionGroup other) {
        if (other.targets.length != targets.length) {
            return false;
        }
        for (int i = 0; i < targets.length; i++) {
            if (!other.targets[i].record().id().equals(targets[i].record().id())) {
                return false;
            }
        }
        return true;
    }

    Version version() {
        return version;
    }

    /** The highest weight registered in this version: below 100 it is a canary taking that share of calls. */
    int weight() {
        return weight;
    }

    RoutingPolicy policy() {
        return policy;
    }

    AtomicInteger inFlight() {
        return inFlight;
    }

    /** Shared by every table's group of this version, so racing ejections cannot exceed the share together. */
    Object ejectionLock() {
        return inFlight;
    }

    Target[] targets() {
        return targets;
    }

    /**
     * Power of two choices: two distinct random available instances, the one with the lower load wins — when it is
     * lower by at least {@link #SCORE_TOLERANCE}; closer than that, the first random one wins.
     */
    Target pickLeastLoaded(Tried tried, long now, ThreadLocalRandom random) {
        int n = targets.length;
        if (n == 1) {
            return targets[0].available(tried, now) ? targets[0] : null;
        }
        int first = random.nextInt(n);
        int second = random.nextInt(n - 1);
        if (second >= first) {
            second++;
        }
        Target a = firstAvailable(first, null, tried, now);
        if (a == null) {
            return null;
        }
        Target b = firstAvailable(second, a, tried, now);
        return b == null || b.score() > a.score() - SCORE_TOLERANCE ? a : b;
    }

    private Target firstAvailable(int from, Target other, Tried tried, long now) {
        int n = targets.length;
        for (int step = 0; step < n; step++) {
            int index = from + step;
            Target candidate = targets[index >= n ? index - n : index];
            if (candidate != other && candidate.available(tried, now)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Consistent hashing with bounded load: walks the ring clockwise from the key's point to the first available
     * instance with fewer than ⌈(1+ε)·(calls in flight + 1)/instances⌉ calls in flight from this client. With no
     * calls in flight that is always the key's own instance, so a key stays put while its instance exists.
     */
    Target pickByKey(String key, Tried tried, long now) {
        HashRing current = ring();
        int start = current.start(HashRing.hash(key));
        long capacity = (long) Math.ceil((1 + policy.loadBound()) * (inFlight.get() + 1) / targets.length);
        Target fallback = null;
        for (int step = 0; step < current.size(); step++) {
            Target candidate = targets[current.ownerAt(start, step)];
            if (!candidate.available(tried, now)) {
                continue;
            }
            if (candidate.stats().inFlight() < capacity) {
                return candidate;
            }
            if (fallback == null) {
                fallback = candidate;
            }
        }
        return fallback;
    }

    private HashRing ring() {
        HashRing current = ring;
        if (current == null) {
            String[] ids = new String[targets.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = targets[i].record().id();
            }
            current = HashRing.build(ids, policy.virtualNodes());
            ring = current; // two threads may both build it; either result is the same ring
        }
        return current;
    }

    /** Whether one more instance may be ejected without exceeding the policy's share; callers hold the lock. */
    boolean mayEject(long now) {
        int ejected = 0;
        for (Target target : targets) {
            if (target.stats().ejected(now)) {
                ejected++;
            }
        }
        return ejected + 1 <= Math.floor(policy.maxEjectedShare() * targets.length);
    }
}
