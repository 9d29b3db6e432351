package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.CloseableUtils;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the instances of one service current through a Curator {@link ServiceCache} and hands the listener the
 * complete list after every change.
 *
 * <p>The cache's listener carries no delta and the cache reports nothing for instances that existed before it
 * was initialized (CURATOR-705), so the full list is rebuilt from the cache on every change and once right after
 * start. Records that are not Vessel's (no version in the payload) are skipped.
 *
 * <p>Changes are coalesced: the first change after a quiet {@link #COALESCE} is handed over at once, and every change
 * that arrives within {@link #COALESCE} of the last hand-over waits for one more at the end of it. A rollout that
 * changes a thousand instances then costs each router a few dozen rebuilds of its table, not a thousand, and a
 * single change is not delayed.
 *
 * <p>While the connection is suspended or lost, the listener keeps the last complete list: nothing the cache does
 * then reaches it. After a reconnect the whole list is read once straight from ZooKeeper and handed over in one
 * piece, and only then does the cache drive it again, so a router never routes on a view that is half rebuilt.
 */
public final class InstanceWatch implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceWatch.class);
    /** The shortest time between two hand-overs of the list while changes keep arriving. */
    public static final Duration COALESCE = Duration.ofMillis(20);

    private final String service;
    /** Replaced only when a service appears that did not exist when the watch started (see {@link #start}). */
    private volatile ServiceCache<Map<String, String>> cache;
    private final Consumer<List<InstanceRecord>> listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RegistryConnection connection;
    /** Set while the connection is down or the view is being re-read after it came back. */
    private volatile boolean frozen;
    /** Runs the hand-overs after start, the re-reads after reconnects and the restarts of the cache: one thread. */
    private final ScheduledExecutorService refresher;
    /** Set while a hand-over is scheduled and has not yet read the cache: later changes ride on it. */
    private final AtomicBoolean publishScheduled = new AtomicBoolean();
    private volatile long lastPublishNanos = System.nanoTime() - COALESCE.toNanos();
    /** What each instance the cache held at the last publication was converted to; only publish() uses it. */
    private Map<ServiceInstance<Map<String, String>>, Optional<InstanceRecord>> converted = new IdentityHashMap<>();
    /** The records of {@link #converted} by id, in the order they are handed over; only publish() uses it. */
    private final java.util.TreeMap<String, InstanceRecord> sorted = new java.util.TreeMap<>();

    private InstanceWatch(RegistryConnection connection, String service, Consumer<List<InstanceRecord>> listener) {
        this.service = service;
        this.listener = listener;
        this.connection = connection;
        this.cache = connection.discovery().serviceCacheBuilder().name(service).build();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-watch-refresh-" + service);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts watching {@code service}. Returns once the cache holds what ZooKeeper holds; the listener has then
     * been called once with that list and is called again, from one thread, after changes (coalesced, see above).
     */
    public static InstanceWatch start(
            RegistryConnection connection, String service, Consumer<List<InstanceRecord>> listener) {
        requireNonNull(connection, "connection cannot be null");
        RegistryLayout.requireName(service, "service");
        requireNonNull(listener, "listener cannot be null");
        InstanceWatch watch = new InstanceWatch(connection, service, listener);
        watch.cache.addListener(watch.new Relay());
        try {
            watch.cache.start();
        } catch (Exception e) {
            if (!refusedToCreate(e)) {
                watch.close();
                throw new RegistryException("could not watch service " + service + ": " + e.getMessage(), e);
            }
            // a secured registry: the cache creates the service's path if it is missing, which only the nodes may;
            // until a node registers the service there is nothing to see, and its creation restarts the cache
            watch.awaitCreation();
        }
        watch.publish();
        return watch;
    }

    private static boolean refusedToCreate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.zookeeper.KeeperException.NoAuthException) {
                return true;
            }
        }
        return false;
    }

    private String path() {
        return connection.layout().services() + "/" + service;
    }

    private void awaitCreation() {
        try {
            boolean exists = connection.curator().checkExists().usingWatcher(
                    (org.apache.curator.framework.api.CuratorWatcher) event -> restartSoon()).forPath(path()) != null;
            if (exists) {
                restartSoon();
            }
        } catch (Exception e) {
            throw new RegistryException("could not watch service " + service + ": " + e.getMessage(), e);
        }
    }

    private void restartSoon() {
        try {
            refresher.execute(this::restartCache);
        } catch (RuntimeException closing) {
            // closed meanwhile
        }
    }

    private void restartCache() {
        if (closed.get()) {
            return;
        }
        ServiceCache<Map<String, String>> next = connection.discovery().serviceCacheBuilder().name(service).build();
        next.addListener(new Relay());
        try {
            next.start();
        } catch (Exception e) {
            CloseableUtils.closeQuietly(next);
            if (refusedToCreate(e)) {
                awaitCreation();
            } else {
                LOG.warn("could not watch {} once it appeared", service, e);
            }
            return;
        }
        ServiceCache<Map<String, String>> old = cache;
        cache = next;
        CloseableUtils.closeQuietly(old);
        publish();
    }

    /** The current instances, sorted by id. */
    public List<InstanceRecord> instances() {
        return InstanceRecord.allOf(cache.getInstances());
    }

    /**
     * A change: handed over at once if the last hand-over was at least {@link #COALESCE} ago, else once at the end
     * of that interval together with every other change until then.
     */
    private void changed() {
        if (!publishScheduled.compareAndSet(false, true)) {
            return; // a hand-over is coming that has not read the cache yet: it will see this change too
        }
        long wait = Math.max(0, lastPublishNanos + COALESCE.toNanos() - System.nanoTime());
        try {
            refresher.schedule(() -> {
                publishScheduled.set(false); // before reading: a change from now on schedules another
                publish();
            }, wait, TimeUnit.NANOSECONDS);
        } catch (RuntimeException closing) {
            // closed meanwhile
        }
    }

    private synchronized void publish() {
        if (closed.get() || frozen) {
            return;
        }
        lastPublishNanos = System.nanoTime();
        try {
            listener.accept(convertChanged(cache.getInstances()));
        } catch (RuntimeException e) {
            LOG.warn("instance listener for {} failed", service, e);
        }
    }

    /**
     * {@link InstanceRecord#allOf}, but reusing the record of every instance the cache still holds as the same
     * object and keeping them sorted as they change: the cache replaces only what changed, so one change costs one
     * conversion and one sorted insertion, not a conversion and a sort of every instance (with 5,000 instances the
     * sort alone was over a millisecond per change, in every router).
     */
    private List<InstanceRecord> convertChanged(List<ServiceInstance<Map<String, String>>> current) {
        Map<ServiceInstance<Map<String, String>>, Optional<InstanceRecord>> next = new IdentityHashMap<>();
        for (ServiceInstance<Map<String, String>> instance : current) {
            Optional<InstanceRecord> record = converted.remove(instance);
            if (record == null) {
                record = InstanceRecord.ifVessel(instance);
                record.ifPresent(added -> sorted.put(added.id(), added));
            }
            next.put(instance, record);
        }
        // what is left was removed or replaced: its id goes, unless a newer record of the same id took its place
        for (Optional<InstanceRecord> gone : converted.values()) {
            gone.ifPresent(record -> {
                if (sorted.get(record.id()) == record) { // the same object: an equal record of a new instance stays
                    sorted.remove(record.id());
                }
            });
        }
        converted = next;
        return List.copyOf(sorted.values());
    }

    /** After a reconnect: reads every instance from ZooKeeper, hands the list over whole, then thaws. */
    private void refreshAfterReconnect() {
        try {
            List<InstanceRecord> all = InstanceRecord.allOf(connection.discovery().queryForInstances(service));
            synchronized (this) {
                if (closed.get()) {
                    return;
                }
                listener.accept(all);
                frozen = false;
            }
            publish(); // whatever the cache saw meanwhile
        } catch (Exception e) {
            LOG.warn("could not re-read {} after reconnecting; keeping the last view until the next reconnect",
                    service, e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            refresher.shutdownNow();
            CloseableUtils.closeQuietly(cache);
        }
    }

    private final class Relay implements ServiceCacheListener {
        @Override
        public void cacheChanged() {
            changed();
        }

        @Override
        public void stateChanged(CuratorFramework client, ConnectionState newState) {
            if (newState == ConnectionState.SUSPENDED || newState == ConnectionState.LOST) {
                frozen = true;
            } else if (newState == ConnectionState.RECONNECTED) {
                try {
                    refresher.execute(InstanceWatch.this::refreshAfterReconnect);
                } catch (RuntimeException closing) {
                    // closed meanwhile
                }
            }
        }
    }
}
