package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.internal.admin.AdminHandler;
import dev.vessel.host.internal.artifact.ArtifactCollector;
import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.artifact.ArtifactPresence;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.artifact.FetchReport;
import dev.vessel.host.internal.artifact.TokenBucket;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.http.ContainerLookup;
import dev.vessel.host.internal.http.NodeHttpServer;
import dev.vessel.host.internal.reconcile.Reconciler;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.DeploymentWatch;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryException;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.ReleaseStore;
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
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Request;
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
    /**
     * Smallest change of a container's load worth a registry write. Small, because a fast service's load is a
     * fraction (sub-millisecond calls at a few thousand per second are ~0.1 in flight); the 10 % rule and the
     * interval keep the write rate bounded anyway.
     */
    private static final double MIN_LOAD_CHANGE = 0.02;
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
    private NodeRecord self;
    private String nodeId;
    private String advertised;
    private final AtomicReference<Request.Handler> admin = new AtomicReference<>();
    private ArtifactStore artifacts;
    private ArtifactHolders holders;
    private ArtifactCollector collector;
    private ArtifactFetcher fetcher;
    private ScheduledExecutorService housekeeping;
    /** When container loads were last measured; only the housekeeping thread reads or writes it after start. */
    private long lastLoadTick;
    private final LongAdder artifactBytesServed = new LongAdder();
    private final Deque<FetchReport> fetchReports = new ConcurrentLinkedDeque<>();
    private Reconciler reconciler;
    private DeploymentWatch deploymentWatch;

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
            http = NodeHttpServer.start(config.bindAddress(), config.port(), new Lookup(), config.maxRequestBytes(),
                    admin);
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
        self = new NodeRecord(nodeId, advertised, http.port(), config.zone(), config.labels(),
                System.currentTimeMillis(), 0);
        presence = NodePresence.publish(registry, self, RegistryConnection.DEFAULT_CONNECT_TIMEOUT.toMillis());
        openLifecycle();
        LOG.info("node {} serving on {} (registry {} at {})", nodeId, url(), config.registryRoot(),
                config.zkConnect());
    }

    /**
     * The deploy lifecycle: the content-addressed artifact store (announced to peers), release validation and the
     * admin API, and the reconciler that makes this node run what {@code /deployments} asks of it.
     */
    private void openLifecycle() {
        artifacts = new ArtifactStore(config.dataDir().resolve("artifacts"), config.maxArtifactBytes(),
                config.chunkSize());
        holders = new ArtifactHolders(registry, nodeId);
        ArtifactPresence presence = new ArtifactPresence(artifacts, holders, config.zone());
        presence.announceAll(); // after a restart: what the local store holds is offered again, never re-downloaded
        String token = config.adminToken().orElse(null);
        ArtifactFetcher.Settings fetching = ArtifactFetcher.Settings.defaults();
        if (!config.peerFetch()) {
            fetching = new ArtifactFetcher.Settings(ArtifactFetcher.Mode.ORIGIN_ONLY, fetching.parallelChunks(),
                    fetching.perPeerLimit(), fetching.chunkTimeout(), fetching.stallTimeout(),
                    fetching.originFallback());
        }
        fetcher = new ArtifactFetcher(artifacts, holders, presence, new ClusterReader(registry), nodeId,
                config.zone(), token, fetching, this::recordFetch);
        fetcher.onProgress(this::publishStatus);
        ReleaseStore releases = new ReleaseStore(registry);
        ReleaseValidator validator = new ReleaseValidator(artifacts, fetcher, releases,
                config.dataDir().resolve("scratch"), containerSettings());
        admin.set(new AdminHandler(token, artifacts, presence, new TokenBucket(config.serveBytesPerSecond()),
                artifactBytesServed, validator, releases, new DeploymentStore(registry)));
        reconciler = new Reconciler(new ReconciledNode(), releases, artifacts, fetcher);
        collector = new ArtifactCollector(artifacts, presence, releases, config.artifactGrace());
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-housekeeping-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(60_000, config.artifactGrace().toMillis() / 4);
        housekeeping.scheduleWithFixedDelay(this::collectQuietly, every, every, TimeUnit.MILLISECONDS);
        long loadEvery = config.loadPublishInterval().toNanos();
        lastLoadTick = System.nanoTime();
        housekeeping.scheduleAtFixedRate(this::publishLoads, loadEvery, loadEvery, TimeUnit.NANOSECONDS);
        deploymentWatch = DeploymentWatch.start(registry, reconciler::desired);
    }

    private void recordFetch(FetchReport report) {
        fetchReports.addLast(report);
        while (fetchReports.size() > 100) {
            fetchReports.pollFirst();
        }
        LOG.info("node {} fetched {} ({} chunks): {} already here, from {}, {} from peers still downloading,"
                + " rejected {}, {} ms", nodeId, report.sha256(), report.chunks(), report.alreadyHad(),
                report.fromNode(), report.fromIncompletePeer(), report.rejectedFrom(), report.millis());
    }

    /**
     * Removes the artifacts no release references that are older than the grace period; runs on its own every
     * quarter of the grace period (at least every minute).
     *
     * @return the digests removed
     */
    public List<String> collectGarbage() throws IOException {
        return collector.collect();
    }

    private void collectQuietly() {
        try {
            collector.collect();
        } catch (IOException | RuntimeException e) {
            LOG.warn("artifact garbage collection failed; next pass retries", e);
        }
    }

    /** How the artifacts this node lacked reached it, most recent last (at most 100). */
    public List<FetchReport> fetchReports() {
        return List.copyOf(fetchReports);
    }

    /** Bytes of artifacts this node has served to peers and uploaders' readers since it started. */
    public long artifactBytesServed() {
        return artifactBytesServed.sum();
    }

    private Container.Settings containerSettings() {
        return new Container.Settings(config.systemPackagesExtra(), config.readyTimeout());
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
        return deploy(release, 100);
    }

    /**
     * Like {@link #deploy(Release)}, registering the instance with {@code weight} (1-100): below 100 the release
     * is a canary that routers send that share of the calls whose range also admits an older version.
     */
    public ContainerInfo deploy(Release release, int weight) {
        requireNonNull(release, "release cannot be null");
        if (closed.get()) {
            throw new IllegalStateException("node " + nodeId + " is closed");
        }
        Path storage = config.dataDir().resolve("containers").resolve(release.containerId());
        Container container = new Container(release, storage, containerSettings(), c -> publishStatus());
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
            register(container, weight);
        }
        return info(container);
    }

    private void register(Container container, int weight) {
        Release release = container.release();
        InstanceRecord record = new InstanceRecord(nodeId + "." + container.id(), release.service(),
                release.version().toString(), nodeId, container.id(), config.zone(), InstanceState.ACTIVE, weight,
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
        if (deregister(container)) {
            awaitPropagation();
        }
        container.stop(config.drainTimeout());
    }

    /** Takes the container out of the registry; returns whether it was in it. */
    private boolean deregister(Container container) {
        InstanceRecord record = registered.remove(container.id());
        if (record == null) {
            return false;
        }
        try {
            instances.unregister(record);
        } catch (RegistryException e) {
            LOG.warn("could not unregister {}; its session's end will remove it", record.id(), e);
        }
        return true;
    }

    /**
     * Keeps serving for the drain delay after leaving the registry: routers learn of the removal through their
     * watches within milliseconds, and until they have, calls still arrive here and must succeed.
     */
    private void awaitPropagation() {
        try {
            Thread.sleep(config.drainDelay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Measures each registered container's load — its call time since the last tick over the tick's length, the
     * average number of calls in flight — and writes it to the container's registry record when it changed by at
     * least 0.02 and 10 %, so an idle or steady node causes no registry traffic.
     */
    private void publishLoads() {
        long now = System.nanoTime();
        double elapsed = Math.max(1, now - lastLoadTick);
        lastLoadTick = now;
        for (String id : registered.keySet()) {
            Container container = containers.get(id);
            if (container == null) {
                continue;
            }
            double load = Math.round(container.takeBusyNanos() / elapsed * 100) / 100.0;
            try {
                registered.computeIfPresent(id, (key, record) -> {
                    double change = Math.abs(load - record.load());
                    if (change < MIN_LOAD_CHANGE || change < 0.1 * Math.max(load, record.load())) {
                        return record;
                    }
                    InstanceRecord updated = record.withLoad(load);
                    instances.update(updated);
                    return updated;
                });
            } catch (RuntimeException e) {
                LOG.debug("could not publish the load of {}; next tick tries again", id, e);
            }
        }
    }

    /** Changes the weight a running container is registered with; it never leaves the registry meanwhile. */
    public void setWeight(String service, String version, int weight) {
        String id = service + "-" + org.osgi.framework.Version.parseVersion(version);
        registered.computeIfPresent(id, (key, record) -> {
            if (record.weight() == weight) {
                return record;
            }
            InstanceRecord updated = record.withWeight(weight);
            instances.update(updated);
            return updated;
        });
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
                List<NodeStatus.FetchProgress> fetches = new ArrayList<>();
                if (fetcher != null) {
                    fetcher.active().forEach((sha, p) -> fetches.add(new NodeStatus.FetchProgress(sha, p[0], p[1])));
                }
                current.update(new NodeStatus(nodeId, statuses, System.currentTimeMillis(), fetches));
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
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (deploymentWatch != null) {
            deploymentWatch.close();
        }
        if (reconciler != null) {
            reconciler.close();
        }
        // every container leaves the registry first, then all wait out one drain delay together, then stop
        boolean anyRegistered = false;
        for (Container container : containers.values()) {
            anyRegistered |= deregister(container);
        }
        if (anyRegistered) {
            awaitPropagation();
        }
        for (Container container : containers.values()) {
            try {
                container.stop(config.drainTimeout());
            } catch (RuntimeException e) {
                LOG.warn("container {} did not stop cleanly", container.id(), e);
            }
        }
        if (holders != null) {
            holders.close();
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

    private final class ReconciledNode implements Reconciler.Node {
        @Override
        public NodeRecord self() {
            return self;
        }

        @Override
        public List<ContainerInfo> containers() {
            return VesselNode.this.containers();
        }

        @Override
        public ContainerInfo deploy(Release release, int weight) {
            return VesselNode.this.deploy(release, weight);
        }

        @Override
        public void stop(String service, String version) {
            VesselNode.this.stop(service, version);
        }

        @Override
        public void setWeight(String service, String version, int weight) {
            VesselNode.this.setWeight(service, version, weight);
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

        @Override
        public long artifactBytesServed() {
            return artifactBytesServed.sum();
        }
    }
}
