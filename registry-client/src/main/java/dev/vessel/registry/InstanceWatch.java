package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * <p>While the connection is suspended or lost, the listener keeps the last complete list: nothing the cache does
 * then reaches it. After a reconnect the whole list is read once straight from ZooKeeper and handed over in one
 * piece, and only then does the cache drive it again, so a router never routes on a view that is half rebuilt.
 */
public final class InstanceWatch implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceWatch.class);

    private final String service;
    /** Replaced only when a service appears that did not exist when the watch started (see {@link #start}). */
    private volatile ServiceCache<Map<String, String>> cache;
    private final Consumer<List<InstanceRecord>> listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RegistryConnection connection;
    /** Set while the connection is down or the view is being re-read after it came back. */
    private volatile boolean frozen;
    private final ExecutorService refresher;
    /** What each instance the cache held at the last publication was converted to; only publish() uses it. */
    private Map<ServiceInstance<Map<String, String>>, Optional<InstanceRecord>> converted = new IdentityHashMap<>();

    private InstanceWatch(RegistryConnection connection, String service, Consumer<List<InstanceRecord>> listener) {
        this.service = service;
        this.listener = listener;
        this.connection = connection;
        this.cache = connection.discovery().serviceCacheBuilder().name(service).build();
        this.refresher = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "vessel-watch-refresh-" + service);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts watching {@code service}. Returns once the cache holds what ZooKeeper holds; the listener has then
     * been called once with that list and is called again, from one thread, after every change.
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

    private synchronized void publish() {
        if (closed.get() || frozen) {
            return;
        }
        try {
            listener.accept(convertChanged(cache.getInstances()));
        } catch (RuntimeException e) {
            LOG.warn("instance listener for {} failed", service, e);
        }
    }

    /**
     * {@link InstanceRecord#allOf}, but reusing the record of every instance the cache still holds as the same
     * object: the cache replaces only what changed, so one change costs one conversion, not one per instance
     * (with 1,000 instances the full conversion was most of a router's work per change).
     */
    private List<InstanceRecord> convertChanged(List<ServiceInstance<Map<String, String>>> current) {
        Map<ServiceInstance<Map<String, String>>, Optional<InstanceRecord>> next = new IdentityHashMap<>();
        List<InstanceRecord> records = new ArrayList<>(current.size());
        for (ServiceInstance<Map<String, String>> instance : current) {
            Optional<InstanceRecord> record = converted.get(instance);
            if (record == null) {
                record = InstanceRecord.ifVessel(instance);
            }
            next.put(instance, record);
            record.ifPresent(records::add);
        }
        converted = next;
        records.sort(Comparator.comparing(InstanceRecord::id));
        return List.copyOf(records);
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
            publish();
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
