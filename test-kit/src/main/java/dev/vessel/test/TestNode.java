package dev.vessel.test;

import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.RegistryConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One node of a {@link VesselTestCluster}, in the test JVM on a registry session of its own, so that it can be
 * stopped the way a node is ({@link #stop}: drains), or killed ({@link #kill}: its session is gone at once, as after
 * kill -9 and the session's timeout, and it answers nothing more), and started again ({@link #restart}, same id and
 * data directory, a new port).
 */
public final class TestNode {
    private final String id;
    private final Path dataDir;
    private final String zkConnect;
    private VesselNode node;
    private RegistryConnection session;

    TestNode(String id, Path dataDir, String zkConnect) {
        this.id = id;
        this.dataDir = dataDir;
        this.zkConnect = zkConnect;
    }

    synchronized void start() {
        if (node != null) {
            throw new IllegalStateException(id + " is running");
        }
        session = RegistryConnection.connect(zkConnect);
        try {
            node = VesselNode.start(NodeConfig.builder(zkConnect, dataDir).nodeId(id).port(0).bindAddress("127.0.0.1")
                    .adminToken(VesselTestCluster.TOKEN).drainDelay(Duration.ofMillis(100)).build(), session);
        } catch (RuntimeException e) {
            session.close();
            session = null;
            throw e;
        }
    }

    public String id() {
        return id;
    }

    public synchronized boolean running() {
        return node != null;
    }

    /** Where the node serves calls and its admin API. */
    public synchronized URI url() {
        if (node == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return node.url();
    }

    /** Stops the node as an operator would: it leaves the registry, drains what it runs, and stops. */
    public synchronized void stop() {
        if (node == null) {
            return;
        }
        try {
            node.close();
        } finally {
            session.close();
            node = null;
            session = null;
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
        try {
            session.close();
        } finally {
            node.close();
            node = null;
            session = null;
        }
    }

    /** Starts the node again after {@link #stop} or {@link #kill}: same id and data directory, a new port. */
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

    /** The node itself, for what the kit does not wrap. */
    public synchronized VesselNode vesselNode() {
        return node;
    }
}
