package dev.vessel.registry.internal;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.CloseableUtils;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral record that belongs to this client's current session, whatever happened to the sessions before:
 * a Curator {@link PersistentNode} that also takes the path over from another session holding it.
 *
 * <p>A {@code PersistentNode} re-creates its node when the node is gone, but leaves one that exists alone. After a
 * whole-ensemble outage that is the wrong call: the servers come back with the old sessions restored from their
 * logs, each given a full session timeout again, so every record of the old session stays until the servers
 * expire it, then vanishes, and only then is written again by the new session. Routers see it go, and for a
 * session timeout nobody knows whether its owner is alive. A record this client owns is therefore checked on start
 * and on every reconnect, and deleted when another session holds it (the {@code PersistentNode} writes it again at
 * once): the new session owns it within a round trip of the ensemble being reachable.
 */
public final class OwnedEphemeral implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedEphemeral.class);

    private final CuratorFramework curator;
    private final String path;
    private final PersistentNode node;
    private final ConnectionStateListener reconnects = this::stateChanged;
    private volatile boolean closed;

    public OwnedEphemeral(CuratorFramework curator, String path, byte[] data) {
        this.curator = requireNonNull(curator, "curator cannot be null");
        this.path = requireNonNull(path, "path cannot be null");
        // useProtection=false: the path is fixed (per node, container or member), so the owner finds it again
        this.node = new PersistentNode(curator, CreateMode.EPHEMERAL, false, path, data);
    }

    /**
     * Keeps the record present from now on, taking the path over from another session if one holds it (a
     * restarted owner's previous process). Never blocks: the check runs in the background.
     */
    public OwnedEphemeral start() {
        curator.getConnectionStateListenable().addListener(reconnects);
        node.start();
        takeOverInBackground();
        return this;
    }

    public boolean waitForInitialCreate(long timeout, TimeUnit unit) throws InterruptedException {
        return node.waitForInitialCreate(timeout, unit);
    }

    /** @throws Exception as {@link PersistentNode#setData}: before the first create went through, for one */
    public void setData(byte[] data) throws Exception {
        node.setData(data);
    }

    public String path() {
        return path;
    }

    private void stateChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED && !closed) {
            takeOverInBackground();
        }
    }

    /** In the background: a reconnect is seen on Curator's event thread, which every listener of the client shares. */
    private void takeOverInBackground() {
        try {
            curator.checkExists().inBackground(this::checked).forPath(path);
        } catch (Exception e) {
            LOG.warn("could not check who holds {}: {}", path, e.toString());
        }
    }

    private void checked(CuratorFramework client, CuratorEvent event) throws Exception {
        Stat stat = event.getStat();
        if (closed || stat == null || stat.getEphemeralOwner() == sessionId()) {
            return;
        }
        LOG.info("{} is held by an earlier session ({}): replacing it with this one's", path,
                Long.toHexString(stat.getEphemeralOwner()));
        // by version, so a record changed since it was read is read again; in the rare race where the old session
        // expired and ours re-created it at the same version, ours goes and the PersistentNode writes it again
        client.delete().withVersion(stat.getVersion()).inBackground((c, deleted) -> {
            if (deleted.getResultCode() == KeeperException.Code.BADVERSION.intValue()) {
                takeOverInBackground();
            }
        }).forPath(path);
    }

    private long sessionId() throws Exception {
        return curator.getZookeeperClient().getZooKeeper().getSessionId();
    }

    @Override
    public void close() {
        closed = true;
        curator.getConnectionStateListenable().removeListener(reconnects);
        CloseableUtils.closeQuietly(node); // deletes the record
    }
}
