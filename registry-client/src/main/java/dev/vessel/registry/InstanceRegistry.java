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

    private final RegistryConnection connection;
    private final Map<String, OwnedEphemeral> registered = new ConcurrentHashMap<>();

    public InstanceRegistry(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
        connection.closeWithSession(this);
    }

    /**
     * Registers {@code record} and waits until ZooKeeper holds it.
     *
     * @throws RegistryException if it could not be written in time
     */
    public void register(InstanceRecord record) {
        requireNonNull(record, "record cannot be null");
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
