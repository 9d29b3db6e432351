package dev.vessel.test;

import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.RegistryConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One node of a {@link VesselTestCluster}, in the test JVM on a registry session of its own. Clients, peers and its
 * registry session reach it through relays on loopback ports of their own, which keep their ports across restarts
 * and let the kit {@link #freeze} it the way SIGSTOP does. It can be stopped the way a node is ({@link #stop}:
 * drains), killed ({@link #kill}: its session is gone at once, as after kill -9 and the session's timeout, its port
 * refuses connections), frozen and thawed, and started again ({@link #restart}: same id, data directory and port).
 */
public final class TestNode {
    private final String id;
    private final Path dataDir;
    private final int zooKeeperPort;
    private final Relay http;
    private final Relay registry;
    private VesselNode node;
    private RegistryConnection session;

    TestNode(String id, Path dataDir, int zooKeeperPort) {
        this.id = id;
        this.dataDir = dataDir;
        this.zooKeeperPort = zooKeeperPort;
        this.http = new Relay(id + "-http");
        this.registry = new Relay(id + "-zookeeper");
    }

    synchronized void start() {
        if (node != null) {
            throw new IllegalStateException(id + " is running");
        }
        // the relays listen first: the node advertises the HTTP relay's port, and reaches ZooKeeper through the other
        registry.listen(zooKeeperPort);
        http.listen(0);
        String zkConnect = "127.0.0.1:" + registry.port();
        try {
            session = RegistryConnection.connect(zkConnect);
            node = VesselNode.start(NodeConfig.builder(zkConnect, dataDir).nodeId(id).port(0).bindAddress("127.0.0.1")
                    .advertisePort(http.port()).adminToken(VesselTestCluster.TOKEN).drainDelay(Duration.ofMillis(100))
                    .build(), session);
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
                session = null;
            }
            http.shut();
            registry.shut();
            throw e;
        }
        http.target(node.port());
    }

    public String id() {
        return id;
    }

    public synchronized boolean running() {
        return node != null;
    }

    /** Where clients reach the node's calls and admin API (its relay: frozen with it). */
    public synchronized URI url() {
        if (node == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return URI.create("http://127.0.0.1:" + http.port());
    }

    /** Stops the node as an operator would: it leaves the registry, drains what it runs, and stops. */
    public synchronized void stop() {
        if (node == null) {
            return;
        }
        thaw(); // a frozen node is thawed first, as a stopped process must be continued to handle SIGTERM
        try {
            node.close();
        } finally {
            session.close();
            node = null;
            session = null;
            http.shut();
            registry.shut();
        }
    }

    /**
     * Kills the node: its registry session ends first, so its records vanish at once, as they would after kill -9
     * and the session's timeout, without deregistering; then everything it runs stops.
     */
    public synchronized void kill() {
        if (node == null) {
            return;
        }
        http.shut(); // its port refuses connections and every connection ends, as the process's would
        registry.thaw();
        try {
            session.close();
        } finally {
            registry.shut();
            http.thaw();
            node.close();
            node = null;
            session = null;
        }
    }

    /**
     * Freezes the node as SIGSTOP would, seen from outside: connections to it are accepted and stay open but nothing
     * is read or answered, and its registry session sends nothing, so ZooKeeper expires it after its timeout (15 s)
     * and its records go. Unlike a stopped process its own threads still run (a reconciler, a fetch from a peer) but
     * nothing they send to the registry or through its port gets anywhere. {@link #thaw} lets it all go on.
     */
    public synchronized void freeze() {
        if (node == null) {
            throw new IllegalStateException(id + " is not running");
        }
        http.freeze();
        registry.freeze();
    }

    /** Ends a {@link #freeze}: what was held goes on; a session that expired meanwhile is replaced by the node. */
    public synchronized void thaw() {
        http.thaw();
        registry.thaw();
    }

    public synchronized boolean frozen() {
        return http.frozen();
    }

    /** Starts the node again after {@link #stop} or {@link #kill}: same id, data directory and port. */
    public synchronized void restart() {
        start();
    }

    /** The node's registry session. */
    synchronized RegistryConnection session() {
        if (session == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return session;
    }

    /** Stops the node if it runs and closes its relays. */
    synchronized void close() {
        try {
            stop();
        } finally {
            http.close();
            registry.close();
        }
    }

    /** The node itself, for what the kit does not wrap. */
    public synchronized VesselNode vesselNode() {
        return node;
    }
}

