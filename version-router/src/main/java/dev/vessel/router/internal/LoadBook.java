package dev.vessel.router.internal;

import dev.vessel.registry.InstanceRecord;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Version;

/**
 * The per-instance and per-version counters of one service that must outlive routing-table swaps: a table is
 * rebuilt on every registry change, while calls in flight and ejections belong to the instance.
 */
public final class LoadBook {
    private final Map<Key, InstanceStats> instances = new ConcurrentHashMap<>();

    /**
     * An instance as the book tells instances apart: a re-registration elsewhere (another address or port) is
     * another instance. Its hash combines the hashes its strings cache, so a table of thousands of instances is
     * rebuilt without hashing a new string per instance.
     */
    record Key(String id, String address, int port) {}
    private final Map<Version, AtomicInteger> versionsInFlight = new ConcurrentHashMap<>();

    /**
     * Stats are kept per id <em>and</em> address: a node restarted under the same id on a new port is a new
     * endpoint and must not inherit the ejection of its dead predecessor.
     */
    InstanceStats instance(InstanceRecord record) {
        return instances.computeIfAbsent(key(record), key -> new InstanceStats(record.id()));
    }

    static Key key(InstanceRecord record) {
        return new Key(record.id(), record.address(), record.port());
    }

    AtomicInteger versionInFlight(Version version) {
        return versionsInFlight.computeIfAbsent(version, v -> new AtomicInteger());
    }

    /**
     * Forgets instances and versions that left the registry (a call still in flight holds its own reference).
     *
     * @param keys {@link #key} of each instance still registered
     */
    void retain(Set<Key> keys, Collection<Version> versions) {
        instances.keySet().retainAll(keys);
        versionsInFlight.keySet().retainAll(versions);
    }
}
