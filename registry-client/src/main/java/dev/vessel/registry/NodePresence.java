package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import java.io.Closeable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.utils.CloseableUtils;
import org.apache.zookeeper.CreateMode;

/**
 * A node's own ephemeral records: {@link NodeRecord} under {@code nodes/} and {@link NodeStatus} under
 * {@code status/}. Both are Curator {@link PersistentNode}s, so they come back by themselves after a lost
 * session; a restarted node that finds its previous session's nodes still there takes them over.
 */
public final class NodePresence implements Closeable {
    private final PersistentNode node;
    private final PersistentNode status;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NodePresence(PersistentNode node, PersistentNode status) {
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
        PersistentNode node = ephemeral(connection, layout.node(record.id()), RecordJson.write(record));
        PersistentNode status = ephemeral(connection, layout.status(record.id()), RecordJson.write(empty));
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

    private static PersistentNode ephemeral(RegistryConnection connection, String path, byte[] data) {
        // useProtection=false: the path is fixed per node id, so a restarted node replaces its old entry
        return new PersistentNode(connection.curator(), CreateMode.EPHEMERAL, false, path, data);
    }

    public void update(NodeRecord record) {
        write(node, RecordJson.write(record), "node record");
    }

    public void update(NodeStatus nodeStatus) {
        write(status, RecordJson.write(nodeStatus), "node status");
    }

    private void write(PersistentNode target, byte[] data, String what) {
        if (closed.get()) {
            return;
        }
        try {
            target.setData(data);
        } catch (Exception e) {
            throw new RegistryException("could not write " + what + " at " + target.getActualPath() + ": "
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
