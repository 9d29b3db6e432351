package dev.vessel.router.internal;

import dev.vessel.registry.InstanceWatch;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.InstanceRecord;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table of one service, replaced whole by the registry watch after every change.
 *
 * <p>Except after a lost session: the registry a new session reads may not hold the instances yet (their nodes
 * lost their sessions too, and register again only once they are back), so for the grace period after this client
 * reconnects, and while it is not reconnected, instances the registry no longer lists stay in the table
 * ({@link #retained}). Instances it lists are taken at once; an instance that no longer answers is ejected as any
 * failing one is. When the grace ends, the registry's word is the table again.
 */
public final class ServiceRoutes implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRoutes.class);
    private static final ScheduledExecutorService GRACE_TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "vessel-routing-grace");
        thread.setDaemon(true);
        return thread;
    });

    private final CopyOnWriteArrayList<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final LoadBook book = new LoadBook();
    private final LatencyWindow latency = new LatencyWindow();
    private final RoutingPolicy policy;
    private volatile RoutingTable table = RoutingTable.empty();
    private volatile long tableSince = System.nanoTime();
    private final ClientCounters counters = new ClientCounters();
    private volatile InstanceWatch watch;
    private final Duration grace;
    /** What the registry listed last. */
    private List<InstanceRecord> listed = List.of();
    /** A session was lost, and the registry's view may be incomplete until {@link #graceEnds}. */
    private boolean sessionLost;
    /** When the grace after reconnecting ends (nanoTime); unset while not reconnected. */
    private OptionalLong graceEnds = OptionalLong.empty();
    private volatile int retained;
    private RegistryConnection connection;
    private ConnectionStateListener sessionListener;

    private ServiceRoutes(RoutingPolicy policy, Duration grace) {
        this.policy = policy;
        this.grace = grace;
    }

    /**
     * Starts watching; returns with the table loaded from what ZooKeeper holds now. {@code grace}: how long after
     * a lost session is replaced instances the registry no longer lists stay routable.
     */
    public static ServiceRoutes start(RegistryConnection connection, String service, RoutingPolicy policy,
            Duration grace) {
        ServiceRoutes routes = new ServiceRoutes(policy, grace);
        routes.connection = connection;
        routes.sessionListener = (client, state) -> routes.sessionChanged(state);
        connection.curator().getConnectionStateListenable().addListener(routes.sessionListener);
        routes.watch = InstanceWatch.start(connection, service, routes::listed);
        return routes;
    }

    private void listed(List<InstanceRecord> instances) {
        synchronized (this) {
            listed = instances;
            rebuild();
        }
        notifyListeners();
    }

    private void sessionChanged(ConnectionState state) {
        synchronized (this) {
            if (state == ConnectionState.LOST) {
                sessionLost = true;
                graceEnds = OptionalLong.empty();
                return;
            }
            if (state != ConnectionState.RECONNECTED || !sessionLost) {
                return;
            }
            graceEnds = OptionalLong.of(System.nanoTime() + grace.toNanos());
        }
        try {
            GRACE_TIMER.schedule(this::graceOver, grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException closing) {
            // the JVM is ending
        }
    }

    private void graceOver() {
        synchronized (this) {
            if (!sessionLost || graceEnds.isEmpty() || System.nanoTime() < graceEnds.getAsLong()) {
                return; // lost again meanwhile: a later timer ends that grace
            }
            sessionLost = false;
            graceEnds = OptionalLong.empty();
            rebuild();
        }
        notifyListeners();
    }

    /** The registry's list, and in a grace after a lost session the table's instances it no longer lists. */
    private void rebuild() {
        List<InstanceRecord> routed = listed;
        int kept = 0;
        if (sessionLost) {
            Set<String> ids = new HashSet<>();
            listed.forEach(instance -> ids.add(instance.id()));
            List<InstanceRecord> merged = new ArrayList<>(listed);
            for (InstanceRecord instance : table.instances()) {
                if (ids.add(instance.id())) {
                    merged.add(instance);
                    kept++;
                }
            }
            routed = merged;
            if (kept > 0 && kept != retained) {
                LOG.info("registry lists {} instance(s) of a service after a lost session; keeping {} more it listed"
                        + " before until they fail or the grace of {} s ends", listed.size(), kept,
                        grace.toSeconds());
            }
        }
        table = RoutingTable.of(routed, policy, book, table);
        tableSince = System.nanoTime();
        retained = kept;
    }

    /** Instances in the table that the registry no longer lists, kept through a grace after a lost session. */
    public int retained() {
        return retained;
    }

    /**
     * A table of {@code instances} that never changes: for a client given the records instead of a registry
     * (see {@code VesselClient.Builder#instances}).
     */
    public static ServiceRoutes fixed(java.util.Collection<dev.vessel.registry.InstanceRecord> instances,
            RoutingPolicy policy) {
        ServiceRoutes routes = new ServiceRoutes(policy, Duration.ZERO);
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
        if (sessionListener != null) {
            connection.curator().getConnectionStateListenable().removeListener(sessionListener);
        }
        InstanceWatch current = watch;
        if (current != null) {
            current.close();
        }
    }
}
