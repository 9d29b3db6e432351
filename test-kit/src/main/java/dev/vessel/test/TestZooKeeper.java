package dev.vessel.test;

import dev.vessel.host.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ZooKeeper server of a {@link VesselTestCluster}: restarted on the same port and data (sessions that are back
 * within their timeout survive, as after a server restart), and a node's session expired on demand (its client sees
 * Expired and makes a new session, as after a long pause).
 */
public final class TestZooKeeper {
    private final Path dir;
    private final int port;
    private EmbeddedZooKeeper server;

    TestZooKeeper(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.server = EmbeddedZooKeeper.start(dir, port);
    }

    /** {@code 127.0.0.1:port}, the same whether the server runs or not. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /** Stops the server and starts it again on its port and data. */
    public synchronized void restart() {
        stop();
        start();
    }

    /**
     * Stops the server: every session is cut off until {@link #start}, and those not back within their timeout
     * expire then. Does nothing if it is stopped.
     */
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts the server again after {@link #stop}, on its port and data. Does nothing if it runs. */
    public synchronized void start() {
        if (server == null) {
            server = EmbeddedZooKeeper.start(dir, port);
        }
    }

    public synchronized boolean running() {
        return server != null;
    }

    /**
     * Expires {@code node}'s registry session now: the server closes it (its ephemeral records go), and the node's
     * client, told its session expired, makes a new one.
     */
    public void expireSession(TestNode node) {
        ZooKeeper client;
        try {
            client = node.session().curator().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new VesselTestException("cannot read " + node.id() + "'s session", e);
        }
        CountDownLatch connected = new CountDownLatch(1);
        try {
            // a second handle on the same session, closed: the server ends the session for both
            ZooKeeper twin = new ZooKeeper(connectString(), 10_000, event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    connected.countDown();
                }
            }, client.getSessionId(), client.getSessionPasswd());
            try {
                if (!connected.await(10, TimeUnit.SECONDS)) {
                    throw new VesselTestException("could not reach " + node.id() + "'s session within 10 s");
                }
            } finally {
                twin.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VesselTestException("interrupted while expiring " + node.id() + "'s session", e);
        } catch (java.io.IOException e) {
            throw new VesselTestException("cannot reach ZooKeeper to expire " + node.id() + "'s session", e);
        }
    }

    void close() {
        stop();
    }
}
