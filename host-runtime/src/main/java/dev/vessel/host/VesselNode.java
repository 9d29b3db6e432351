package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.http.ContainerLookup;
import dev.vessel.host.internal.http.NodeHttpServer;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryException;
import dev.vessel.registry.RegistryLayout;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Vessel node: any number of containers, each running one release in its own Felix framework, served on one
 * HTTP port and registered in ZooKeeper while ACTIVE.
 *
 * <p>A container is registered only after it is ACTIVE (its endpoints answer), and removed from the registry
 * before it stops answering. A release that fails fails only its own container.
 */
public final class VesselNode implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(VesselNode.class);

    private final NodeConfig config;
    private final boolean ownsRegistry;
    private final Map<String, Container> containers = new ConcurrentHashMap<>();
    private final Map<String, InstanceRecord> registered = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object statusLock = new Object();
    private NodeHttpServer http;
    private RegistryConnection registry;
    private InstanceRegistry instances;
    private NodePresence presence;
    private String nodeId;
    private String advertised;

    private VesselNode(NodeConfig config, RegistryConnection sharedRegistry) {
        this.config = config;
        this.registry = sharedRegistry;
        this.ownsRegistry = sharedRegistry == null;
    }

    /**
     * Binds the HTTP port, connects to ZooKeeper and publishes the node. On failure nothing is left running.
     *
     * @throws IllegalStateException with the reason (port in use, ZooKeeper unreachable, ...)
     */
    public static VesselNode start(NodeConfig config) {
        return start(config, null);
    }

    /**
     * Like {@link #start(NodeConfig)}, but on a registry session the caller already has (an application that
     * embeds a node next to its own Curator client). The node never closes it; {@code config.zkConnect()} and
     * {@code config.registryRoot()} are then only reported, the connection's own are used.
     */
    public static VesselNode start(NodeConfig config, RegistryConnection registry) {
        VesselNode node = new VesselNode(requireNonNull(config, "config cannot be null"), registry);
        try {
            node.open();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void open() {
        try {
            Files.createDirectories(config.dataDir().resolve("containers"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        try {
            http = NodeHttpServer.start(config.bindAddress(), config.port(), new Lookup(), config.maxRequestBytes());
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.bindAddress() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        nodeId = config.nodeId().orElseGet(() -> hostName() + "-" + http.port());
        advertised = config.advertiseAddress().orElseGet(() -> config.bindAddress().equals("0.0.0.0")
                ? hostName() : config.bindAddress());
        if (registry == null) {
            registry = RegistryConnection.connect(config.zkConnect(), RegistryLayout.at(config.registryRoot()),
                    RegistryConnection.DEFAULT_CONNECT_TIMEOUT);
        }
        instances = new InstanceRegistry(registry);
        NodeRecord record = new NodeRecord(nodeId, advertised, http.port(), config.zone(), config.labels(),
                System.currentTimeMillis(), 0);
        presence = NodePresence.publish(registry, record, RegistryConnection.DEFAULT_CONNECT_TIMEOUT.toMillis());
        LOG.info("node {} serving on {} (registry {} at {})", nodeId, url(), config.registryRoot(),
                config.zkConnect());
    }

    public String nodeId() {
        return nodeId;
    }

    public int port() {
        return http.port();
    }

    public URI url() {
        return URI.create("http://" + (advertised.contains(":") ? "[" + advertised + "]" : advertised) + ":"
                + http.port());
    }

    /**
     * Runs {@code release} in a new container and waits until it is ACTIVE (then registered) or FAILED.
     *
     * @return the container's final state, with the reason if it FAILED
     * @throws IllegalStateException if that release already runs on this node, or the node is closed
     */
    public ContainerInfo deploy(Release release) {
        requireNonNull(release, "release cannot be null");
        if (closed.get()) {
            throw new IllegalStateException("node " + nodeId + " is closed");
        }
        Path storage = config.dataDir().resolve("containers").resolve(release.containerId());
        Container container = new Container(release, storage,
                new Container.Settings(config.systemPackagesExtra(), config.readyTimeout()), c -> publishStatus());
        Container previous = containers.compute(release.containerId(), (id, existing) -> {
            if (existing != null && !existing.state().isTerminal()) {
                return existing;
            }
            return container;
        });
        if (previous != container) {
            throw new IllegalStateException(release.containerId() + " already runs on node " + nodeId + " ("
                    + previous.state() + ")");
        }
        container.start();
        if (container.state() == InstanceState.ACTIVE) {
            register(container);
        }
        return info(container);
    }

    private void register(Container container) {
        Release release = container.release();
        InstanceRecord record = new InstanceRecord(nodeId + "." + container.id(), release.service(),
                release.version().toString(), nodeId, container.id(), config.zone(), InstanceState.ACTIVE, 100,
                advertised, http.port());
        try {
            instances.register(record);
            registered.put(container.id(), record);
        } catch (RegistryException e) {
            LOG.warn("container {} is ACTIVE but could not be registered; stopping it", container.id(), e);
            container.stop(config.drainTimeout());
            throw e;
        }
    }

    /**
     * Removes the container from the registry, lets calls in flight finish (bounded by the drain timeout) and
     * stops it. Calls that still arrive are refused with {@code 503 Vessel-Retry: other}.
     *
     * @throws IllegalArgumentException if no such container exists on this node
     */
    public ContainerInfo stop(String service, String version) {
        String id = service + "-" + org.osgi.framework.Version.parseVersion(version);
        Container container = containers.get(id);
        if (container == null) {
            throw new IllegalArgumentException("node " + nodeId + " has no container " + id + "; it has "
                    + containers.keySet());
        }
        stop(container);
        return info(container);
    }

    private void stop(Container container) {
        InstanceRecord record = registered.remove(container.id());
        if (record != null) {
            try {
                instances.unregister(record);
            } catch (RegistryException e) {
                LOG.warn("could not unregister {}; its session's end will remove it", record.id(), e);
            }
        }
        container.stop(config.drainTimeout());
    }

    /** Every container this node has run since it started, by service then version. */
    public List<ContainerInfo> containers() {
        return sortedContainers().stream().map(VesselNode::info).toList();
    }

    private List<Container> sortedContainers() {
        List<Container> list = new ArrayList<>(containers.values());
        list.sort(Comparator.comparing((Container c) -> c.release().service())
                .thenComparing(c -> c.release().version()));
        return list;
    }

    private static ContainerInfo info(Container c) {
        return new ContainerInfo(c.id(), c.release().service(), c.release().version().toString(), c.state(),
                c.error(), c.since());
    }

    private void publishStatus() {
        synchronized (statusLock) {
            NodePresence current = presence;
            if (current == null) {
                return;
            }
            List<ContainerStatus> statuses = sortedContainers().stream().map(c -> info(c).toStatus()).toList();
            try {
                current.update(new NodeStatus(nodeId, statuses, System.currentTimeMillis()));
            } catch (RegistryException e) {
                LOG.warn("could not publish status of node {}: {}", nodeId, e.getMessage());
            }
        }
    }

    /** Deregisters and stops every container, then leaves the registry and stops serving. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Container container : containers.values()) {
            try {
                stop(container);
            } catch (RuntimeException e) {
                LOG.warn("container {} did not stop cleanly", container.id(), e);
            }
        }
        synchronized (statusLock) {
            if (presence != null) {
                presence.close();
                presence = null;
            }
        }
        if (registry != null && ownsRegistry) {
            registry.close();
        }
        if (http != null) {
            http.close();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private final class Lookup implements ContainerLookup {
        @Override
        public Container find(String service, String version) {
            return containers.get(service + "-" + version);
        }

        @Override
        public boolean hasService(String service) {
            return containers.values().stream().anyMatch(c -> c.release().service().equals(service));
        }

        @Override
        public List<Container> all() {
            return sortedContainers();
        }

        @Override
        public String nodeId() {
            return nodeId;
        }
    }
}
