package dev.vessel.router.internal;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of one service's ACTIVE instances grouped by version, highest first. A new one replaces
 * the old whole after every registry change, so picks never lock and never touch ZooKeeper; what must survive a
 * swap (calls in flight, ejections) lives in the service's {@link LoadBook}.
 */
public final class RoutingTable {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingTable.class);

    private final VersionGroup[] groups;

    private RoutingTable(VersionGroup[] groups) {
        this.groups = groups;
    }

    static RoutingTable empty() {
        return new RoutingTable(new VersionGroup[0]);
    }

    /** A table with its own book and the default policy, for callers that only look. */
    public static RoutingTable of(Collection<InstanceRecord> instances) {
        return of(instances, RoutingPolicy.DEFAULT, new LoadBook(), null);
    }

    /**
     * Builds the table for {@code instances}; hash rings of versions whose members did not change since
     * {@code previous} are reused.
     */
    public static RoutingTable of(Collection<InstanceRecord> instances, RoutingPolicy policy, LoadBook book,
            RoutingTable previous) {
        NavigableMap<Version, List<InstanceRecord>> byVersion = new TreeMap<Version, List<InstanceRecord>>().descendingMap();
        // a service has thousands of instances and a handful of versions: each version string is parsed once
        Map<String, Version> parsed = new HashMap<>();
        Set<LoadBook.Key> keys = new HashSet<>(Math.max(16, instances.size() * 2));
        for (InstanceRecord instance : instances) {
            if (instance.state() != InstanceState.ACTIVE) {
                continue;
            }
            Version version = parsed.get(instance.version());
            if (version == null) {
                try {
                    version = Version.parseVersion(instance.version());
                } catch (IllegalArgumentException e) {
                    LOG.warn("ignoring instance {} with unparseable version '{}'", instance.id(), instance.version());
                    continue;
                }
                parsed.put(instance.version(), version);
            }
            byVersion.computeIfAbsent(version, v -> new ArrayList<>()).add(instance);
            keys.add(LoadBook.key(instance));
        }
        Map<Version, VersionGroup> before = new HashMap<>();
        if (previous != null) {
            for (VersionGroup group : previous.groups) {
                before.put(group.version(), group);
            }
        }
        List<VersionGroup> groups = new ArrayList<>();
        byVersion.forEach((version, members) ->
                groups.add(new VersionGroup(version, members, book, policy, before.get(version))));
        book.retain(keys, byVersion.keySet());
        return new RoutingTable(groups.toArray(new VersionGroup[0]));
    }

    /**
     * Chooses the instance for one call: the highest version in {@code range} that has an available instance
     * (neither ejected nor in {@code tried}), then within it the instance for {@code key} on the bounded-load
     * ring, or with no key the less loaded of two random ones.
     *
     * <p>A canary — a highest version registered with a weight below 100 — takes that percentage of the calls
     * when a lower version in range can take the rest; {@code roll} (0-99) decides which side this call is on.
     *
     * @param key null for calls without affinity
     * @return the instance, or null if no version in range has one available
     */
    public Target pick(VersionRange range, String key, Tried tried, int roll, long now) {
        Target canary = null;
        for (VersionGroup group : groups) {
            if (!range.includes(group.version())) {
                continue;
            }
            Target chosen = key == null
                    ? group.pickLeastLoaded(tried, now, ThreadLocalRandom.current())
                    : group.pickByKey(key, tried, now);
            if (chosen == null) {
                continue;
            }
            if (canary != null || group.weight() >= 100 || roll < group.weight()) {
                return chosen; // the first version in range, or the next one down when the canary lost its roll
            }
            canary = chosen;
        }
        return canary;
    }

    /** The version a call with {@code range} goes to when canaries win: the highest in range with weight above 0. */
    public Optional<Version> resolve(VersionRange range) {
        Version fallback = null;
        for (VersionGroup group : groups) {
            if (range.includes(group.version())) {
                if (group.weight() > 0) {
                    return Optional.of(group.version());
                }
                if (fallback == null) {
                    fallback = group.version();
                }
            }
        }
        return Optional.ofNullable(fallback);
    }

    /** ACTIVE versions, lowest first. */
    public List<Version> versions() {
        List<Version> versions = new ArrayList<>(groups.length);
        for (int i = groups.length - 1; i >= 0; i--) {
            versions.add(groups[i].version());
        }
        return versions;
    }

    /** ACTIVE instances, highest version first. */
    public List<InstanceRecord> instances() {
        List<InstanceRecord> all = new ArrayList<>();
        for (VersionGroup group : groups) {
            for (Target target : group.targets()) {
                all.add(target.record());
            }
        }
        return all;
    }

    /** The ids of instances this client has ejected now, for diagnostics and tests. */
    public List<String> ejected(long now) {
        List<String> ejected = new ArrayList<>();
        for (VersionGroup group : groups) {
            for (Target target : group.targets()) {
                if (target.stats().ejected(now)) {
                    ejected.add(target.record().id());
                }
            }
        }
        return ejected;
    }
}
