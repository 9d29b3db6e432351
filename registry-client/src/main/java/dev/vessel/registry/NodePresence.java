package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.OwnedEphemeral;
import dev.vessel.registry.internal.RecordJson;
import java.io.Closeable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.utils.CloseableUtils;

/**
 * A node's own ephemeral records: {@link NodeRecord} under {@code nodes/} and {@link NodeStatus} under
 * {@code status/}. Both are {@link OwnedEphemeral}s: they come back by themselves after a lost session, and a
 * restarted node, or one whose session an outage replaced, takes over what an earlier session still holds.
 */
public final class NodePresence implements Closeable {
    private final OwnedEphemeral node;
    private final OwnedEphemeral status;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NodePresence(OwnedEphemeral node, OwnedEphemeral status) {
        this.node = node;
        this.status = status;
    }

    /**
     * Publishes {@code record} and an empty status, waiting up to {@code timeoutMs} for both to exist.
     *
     * @throws RegistryException if ZooKeeper does not confirm them in time
     */
    public static NodePresence publish(RegistryConnection connection, NodeRecord record, long timeoutMs) {
        requireNonNull(connection, "connection cannot be null");
        requireNonNull(record, "record cannot be null");
        RegistryLayout layout = connection.layout();
        NodeStatus empty = new NodeStatus(record.id(), java.util.List.of(), System.currentTimeMillis());
        OwnedEphemeral node = ephemeral(connection, layout.node(record.id()), RecordJson.write(record));
        OwnedEphemeral status = ephemeral(connection, layout.status(record.id()), RecordJson.write(empty));
        NodePresence presence = new NodePresence(node, status);
        try {
            node.start();
            status.start();
            if (!node.waitForInitialCreate(timeoutMs, TimeUnit.MILLISECONDS)
                    || !status.waitForInitialCreate(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new RegistryException("node " + record.id() + " could not publish itself under "
                        + layout.root() + " within " + timeoutMs + " ms");
            }
            return presence;
        } catch (InterruptedException e) {
            presence.close();
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while publishing node " + record.id(), e);
        } catch (RuntimeException e) {
            presence.close();
            throw e;
        }
    }

    private static OwnedEphemeral ephemeral(RegistryConnection connection, String path, byte[] data) {
        return new OwnedEphemeral(connection.curator(), path, data);
    }

    public void update(NodeRecord record) {
        write(node, RecordJson.write(record), "node record");
    }

    public void update(NodeStatus nodeStatus) {
        write(status, RecordJson.write(nodeStatus), "node status");
    }

    private void write(OwnedEphemeral target, byte[] data, String what) {
        if (closed.get()) {
            return;
        }
        try {
            target.setData(data);
        } catch (Exception e) {
            throw new RegistryException("could not write " + what + " at " + target.path() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            CloseableUtils.closeQuietly(status);
            CloseableUtils.closeQuietly(node);
        }
    }
}
