package dev.vessel.test;

import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.RegistryConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One node of a {@link VesselTestCluster}, in the test JVM on a registry session of its own. Clients, peers and its
 * registry session reach it through relays on loopback ports of their own, which keep their ports across restarts
 * and let the kit {@link #freeze} it the way SIGSTOP does. It can be stopped the way a node is ({@link #stop}:
 * drains), killed ({@link #kill}: its session is gone at once, as after kill -9 and the session's timeout, its port
 * refuses connections), frozen and thawed, and started again ({@link #restart}: same id, data directory and port).
 * A cluster built {@link VesselTestCluster.Builder#withoutRelays() without relays} is reached directly (nothing
 * between a benchmark and the node): there a node cannot be frozen and a restarted node serves on a new port.
 */
public final class TestNode {
    private final String id;
    private final Path dataDir;
    private final String zooKeeper;
    private final Consumer<NodeConfig.Builder> configure;
    /** Both null for a node reached directly. */
    private final Relay http;
    private final Relay registry;
    private VesselNode node;
    private RegistryConnection session;

    /** @param zooKeeper the registry's connect string; with relays, one server on loopback ({@code 127.0.0.1:port}) */
    TestNode(String id, Path dataDir, String zooKeeper, Consumer<NodeConfig.Builder> configure, boolean relays) {
        this.id = id;
        this.dataDir = dataDir;
        this.zooKeeper = zooKeeper;
        this.configure = configure;
        this.http = relays ? new Relay(id + "-http") : null;
        this.registry = relays ? new Relay(id + "-zookeeper") : null;
    }

    synchronized void start() {
        if (node != null) {
            throw new IllegalStateException(id + " is running");
        }
        String zkConnect = zooKeeper;
        if (http != null) {
            // the relays listen first: the node advertises the HTTP relay's port, and reaches ZooKeeper through the
            // other
            registry.listen(Integer.parseInt(zooKeeper.substring(zooKeeper.lastIndexOf(':') + 1)));
            http.listen(0);
            zkConnect = "127.0.0.1:" + registry.port();
        }
        try {
            session = RegistryConnection.connect(zkConnect);
            NodeConfig.Builder config = NodeConfig.builder(zkConnect, dataDir).nodeId(id).port(0)
                    .bindAddress("127.0.0.1").adminToken(VesselTestCluster.TOKEN).drainDelay(Duration.ofMillis(100));
            if (http != null) {
                config.advertisePort(http.port());
            }
            configure.accept(config);
            node = VesselNode.start(config.build(), session);
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
                session = null;
            }
            shutRelays();
            throw e;
        }
        if (http != null) {
            http.target(node.port());
        }
    }

    private void shutRelays() {
        if (http != null) {
            http.shut();
            registry.shut();
        }
    }

    public String id() {
        return id;
    }

    public synchronized boolean running() {
        return node != null;
    }

    /** Where the node's data is: its artifact store, containers and configuration. */
    public Path dataDirectory() {
        return dataDir;
    }

    /** Where clients reach the node's calls and admin API (its relay, frozen with it, unless it has none). */
    public synchronized URI url() {
        if (node == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return http == null ? node.url() : URI.create(node.url().getScheme() + "://127.0.0.1:" + http.port());
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
            shutRelays();
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
        if (http != null) {
            http.shut(); // its port refuses connections and every connection ends, as the process's would
            registry.thaw();
        }
        try {
            session.close();
        } finally {
            if (http != null) {
                registry.shut();
                http.thaw();
            }
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
        if (http == null) {
            throw new IllegalStateException(id + " has no relays to freeze: its cluster was built without them");
        }
        http.freeze();
        registry.freeze();
    }

    /** Ends a {@link #freeze}: what was held goes on; a session that expired meanwhile is replaced by the node. */
    public synchronized void thaw() {
        if (http != null) {
            http.thaw();
            registry.thaw();
        }
    }

    public synchronized boolean frozen() {
        return http != null && http.frozen();
    }

    /**
     * Starts the node again after {@link #stop} or {@link #kill}: same id, data directory and port (a new port if
     * the cluster has no relays).
     */
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
            if (http != null) {
                http.close();
                registry.close();
            }
        }
    }

    /** The node itself, for what the kit does not wrap. */
    public synchronized VesselNode vesselNode() {
        return node;
    }
}

