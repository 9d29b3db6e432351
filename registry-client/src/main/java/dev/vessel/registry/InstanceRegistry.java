package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.OwnedEphemeral;
import java.io.Closeable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.utils.CloseableUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.details.InstanceSerializer;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.data.Stat;

/**
 * Node side of the registry: registers and removes the instances of this node's containers.
 *
 * <p>Each registration is an {@link OwnedEphemeral} (a Curator {@code PersistentNode}) at x-discovery's own path,
 * holding x-discovery's own JSON, so a stock x-discovery client still reads it. Not x-discovery's
 * {@code registerService}: on every reconnect that re-registers by deleting and re-creating each instance, even when
 * the session (and so the instance) survived, and when a ZooKeeper server fails every node reconnects at once, so
 * routers saw every instance of a service vanish together for a moment. Here a record is written again only when
 * it is really gone or held by an earlier session (a restarted node, or a session lost in a whole-ensemble
 * outage), and otherwise left alone.
 */
public final class InstanceRegistry implements Closeable {
    private static final long CREATE_TIMEOUT_MS = RegistryConnection.DEFAULT_CONNECT_TIMEOUT.toMillis();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final InstanceSerializer<Map<String, String>> SERIALIZER =
            new JsonInstanceSerializer<>((Class) Map.class);

    /**
     * The most instances one service may have. A router reads a service's instance ids in one ZooKeeper reply,
     * which holds at most 1 MiB ({@code jute.maxbuffer}); past that the reply fails and every router of the service
     * stops seeing changes. Ids are at most 128 characters, so 7,500 of them (4 bytes of length each) fit in
     * 990,000 bytes whatever their names; a registration beyond is refused with that reason instead.
     */
    public static final int MAX_INSTANCES_PER_SERVICE = 7_500;

    private final RegistryConnection connection;
    private final Map<String, OwnedEphemeral> registered = new ConcurrentHashMap<>();
    private final int maxInstancesPerService;

    public InstanceRegistry(RegistryConnection connection) {
        this(connection, MAX_INSTANCES_PER_SERVICE);
    }

    /** With another cap, for tests that cannot register thousands of instances. */
    InstanceRegistry(RegistryConnection connection, int maxInstancesPerService) {
        this.connection = requireNonNull(connection, "connection cannot be null");
        this.maxInstancesPerService = maxInstancesPerService;
        connection.closeWithSession(this);
    }

    /**
     * Registers {@code record} and waits until ZooKeeper holds it.
     *
     * @throws RegistryException if it could not be written in time
     */
    public void register(InstanceRecord record) {
        requireNonNull(record, "record cannot be null");
        requireRoom(record);
        OwnedEphemeral node = new OwnedEphemeral(connection.curator(), path(record), serialize(record));
        if (registered.putIfAbsent(key(record), node) != null) {
            throw new IllegalStateException(record.id() + " of " + record.service() + " is already registered");
        }
        try {
            node.start();
            if (!node.waitForInitialCreate(CREATE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new RegistryException("could not register " + record.id() + " of " + record.service()
                        + " within " + CREATE_TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unregister(record);
            throw new RegistryException("interrupted while registering " + record.id(), e);
        } catch (RuntimeException e) {
            unregister(record);
            throw e;
        }
    }

    /** Rewrites a registered instance's record in place (e.g. a new weight); it never leaves the registry. */
    public void update(InstanceRecord record) {
        requireNonNull(record, "record cannot be null");
        OwnedEphemeral node = registered.get(key(record));
        if (node == null) {
            throw new IllegalStateException(record.id() + " of " + record.service() + " is not registered");
        }
        try {
            node.setData(serialize(record));
        } catch (Exception e) {
            throw new RegistryException("could not update " + record.id() + " of " + record.service() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Removes the instance; removing one that is not registered does nothing. */
    public void unregister(InstanceRecord record) {
        requireNonNull(record, "record cannot be null");
        OwnedEphemeral node = registered.remove(key(record));
        if (node != null) {
            CloseableUtils.closeQuietly(node); // deletes the node
        }
    }

    /** Removes every instance this registry holds. */
    @Override
    public void close() {
        registered.values().forEach(CloseableUtils::closeQuietly);
        registered.clear();
    }

    /** Refuses a registration that would make the service's instance list too long for one ZooKeeper reply. */
    private void requireRoom(InstanceRecord record) {
        Stat service;
        try {
            service = connection.curator().checkExists().forPath(ZKPaths.makePath(connection.layout().services(),
                    record.service()));
        } catch (Exception e) {
            throw new RegistryException("could not register " + record.id() + " of " + record.service() + ": "
                    + e.getMessage(), e);
        }
        if (service != null && service.getNumChildren() >= maxInstancesPerService) {
            throw new RegistryException("could not register " + record.id() + ": service " + record.service()
                    + " already has " + service.getNumChildren() + " instances, the most one service may have ("
                    + maxInstancesPerService + "): routers read them in one ZooKeeper reply of at most 1 MiB."
                    + " Spread the load over fewer, larger instances or over several services");
        }
    }

    private String path(InstanceRecord record) {
        return ZKPaths.makePath(connection.layout().services(), record.service(), record.id());
    }

    private static String key(InstanceRecord record) {
        return record.service() + "/" + record.id();
    }

    private static byte[] serialize(InstanceRecord record) {
        try {
            return SERIALIZER.serialize(record.toServiceInstance());
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialize " + record.id(), e);
        }
    }
}
