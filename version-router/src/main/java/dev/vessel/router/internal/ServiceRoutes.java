package dev.vessel.router.internal;

import dev.vessel.registry.InstanceWatch;
import dev.vessel.registry.RegistryConnection;
import java.io.Closeable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The routing table of one service, replaced whole by the registry watch after every change. */
public final class ServiceRoutes implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRoutes.class);

    private final CopyOnWriteArrayList<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final LoadBook book = new LoadBook();
    private final LatencyWindow latency = new LatencyWindow();
    private final RoutingPolicy policy;
    private volatile RoutingTable table = RoutingTable.empty();
    private volatile long tableSince = System.nanoTime();
    private final ClientCounters counters = new ClientCounters();
    private volatile InstanceWatch watch;

    private ServiceRoutes(RoutingPolicy policy) {
        this.policy = policy;
    }

    /** Starts watching; returns with the table loaded from what ZooKeeper holds now. */
    public static ServiceRoutes start(RegistryConnection connection, String service, RoutingPolicy policy) {
        ServiceRoutes routes = new ServiceRoutes(policy);
        routes.watch = InstanceWatch.start(connection, service, instances -> {
            // the watch calls back from one thread, so reading and replacing the table here cannot race
            routes.table = RoutingTable.of(instances, routes.policy, routes.book, routes.table);
            routes.tableSince = System.nanoTime();
            routes.notifyListeners();
        });
        return routes;
    }

    /**
     * A table of {@code instances} that never changes: for a client given the records instead of a registry
     * (see {@code VesselClient.Builder#instances}).
     */
    public static ServiceRoutes fixed(java.util.Collection<dev.vessel.registry.InstanceRecord> instances,
            RoutingPolicy policy) {
        ServiceRoutes routes = new ServiceRoutes(policy);
        routes.table = RoutingTable.of(instances, policy, routes.book, null);
        return routes;
    }

    private void notifyListeners() {
        for (Runnable listener : changeListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a routing-table listener failed; the others still run", e); // one never stops the rest
            }
        }
    }

    /** Durations of this service's recent successful attempts (for hedging). */
    public LatencyWindow latency() {
        return latency;
    }

    public RoutingTable table() {
        return table;
    }

    /** When the table last changed or was loaded, as {@link System#nanoTime()}. */
    public long tableSince() {
        return tableSince;
    }

    public ClientCounters counters() {
        return counters;
    }

    /** {@code listener} runs after each table swap, on the registry's event thread; keep it short. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        changeListeners.remove(listener);
    }

    public int listenerCount() {
        return changeListeners.size();
    }

    @Override
    public void close() {
        InstanceWatch current = watch;
        if (current != null) {
            current.close();
        }
    }
}
