package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 */
public final class InstanceWatch implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceWatch.class);

    private final String service;
    private final ServiceCache<Map<String, String>> cache;
    private final Consumer<List<InstanceRecord>> listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What each instance the cache held at the last publication was converted to; only publish() uses it. */
    private Map<ServiceInstance<Map<String, String>>, Optional<InstanceRecord>> converted = new IdentityHashMap<>();

    private InstanceWatch(RegistryConnection connection, String service, Consumer<List<InstanceRecord>> listener) {
        this.service = service;
        this.listener = listener;
        this.cache = connection.discovery().serviceCacheBuilder().name(service).build();
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
            watch.close();
            throw new RegistryException("could not watch service " + service + ": " + e.getMessage(), e);
        }
        watch.publish();
        return watch;
    }

    /** The current instances, sorted by id. */
    public List<InstanceRecord> instances() {
        return InstanceRecord.allOf(cache.getInstances());
    }

    private synchronized void publish() {
        if (closed.get()) {
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

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
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
            // The cache keeps its last view while disconnected and refreshes on reconnect; nothing to do here.
        }
    }
}
