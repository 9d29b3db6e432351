package dev.vessel.router.internal;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of one service's ACTIVE instances grouped by version. A new one replaces the old whole
 * after every registry change, so readers never lock.
 */
public final class RoutingTable {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingTable.class);
    static final RoutingTable EMPTY = new RoutingTable(new TreeMap<>());

    /** Highest version first. */
    private final NavigableMap<Version, List<InstanceRecord>> byVersion;

    private RoutingTable(NavigableMap<Version, List<InstanceRecord>> byVersion) {
        this.byVersion = byVersion;
    }

    public static RoutingTable of(Collection<InstanceRecord> instances) {
        NavigableMap<Version, List<InstanceRecord>> grouped = new TreeMap<Version, List<InstanceRecord>>().descendingMap();
        for (InstanceRecord instance : instances) {
            if (instance.state() != InstanceState.ACTIVE) {
                continue;
            }
            Version version;
            try {
                version = Version.parseVersion(instance.version());
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring instance {} with unparseable version '{}'", instance.id(), instance.version());
                continue;
            }
            grouped.computeIfAbsent(version, v -> new ArrayList<>()).add(instance);
        }
        grouped.replaceAll((v, list) -> List.copyOf(list));
        return new RoutingTable(grouped);
    }

    /**
     * The instances of the highest version in {@code range}, leaving out {@code excluded} instance ids. When every
     * instance of that version is excluded the next lower version in range is used, and so on.
     *
     * <p>A canary — a highest version registered with a weight below 100 — gets that percentage of the calls
     * when a lower version in range can take the rest; {@code roll} (0-99) decides which side this call is on.
     *
     * @return the chosen version's remaining instances, or an empty list if nothing in range is left
     */
    public List<InstanceRecord> select(VersionRange range, Set<String> excluded, int roll) {
        List<InstanceRecord> best = null;
        for (Map.Entry<Version, List<InstanceRecord>> entry : byVersion.entrySet()) {
            if (!range.includes(entry.getKey())) {
                continue;
            }
            List<InstanceRecord> candidates = entry.getValue();
            if (!excluded.isEmpty()) {
                candidates = candidates.stream().filter(i -> !excluded.contains(i.id())).toList();
            }
            if (candidates.isEmpty()) {
                continue;
            }
            if (best != null) {
                return candidates; // the canary lost this roll: the next version down takes the call
            }
            int weight = weight(candidates);
            if (weight >= 100 || roll < weight) {
                return candidates;
            }
            best = candidates;
        }
        return best == null ? List.of() : best;
    }

    /** {@link #select(VersionRange, Set, int)} for a caller that ignores canary weights. */
    public List<InstanceRecord> select(VersionRange range, Set<String> excluded) {
        return select(range, excluded, 0);
    }

    private static int weight(List<InstanceRecord> instances) {
        int max = 0;
        for (InstanceRecord instance : instances) {
            max = Math.max(max, instance.weight());
        }
        return max;
    }

    /** ACTIVE versions, lowest first. */
    public List<Version> versions() {
        return List.copyOf(byVersion.descendingKeySet());
    }

    public List<InstanceRecord> instances() {
        List<InstanceRecord> all = new ArrayList<>();
        byVersion.values().forEach(all::addAll);
        return all;
    }
}
