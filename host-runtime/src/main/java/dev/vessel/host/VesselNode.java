package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.internal.admin.AdminHandler;
import dev.vessel.host.internal.admin.DashboardEndpoint;
import dev.vessel.host.internal.http.NodeLoad;
import dev.vessel.host.internal.admin.ArtifactGrant;
import dev.vessel.host.internal.artifact.ArtifactCollector;
import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.artifact.ArtifactPresence;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.artifact.FetchReport;
import dev.vessel.host.internal.artifact.TokenBucket;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.host.internal.http.ContainerLookup;
import dev.vessel.host.internal.http.NodeHttpServer;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.host.internal.quorum.QuorumMembership;
import dev.vessel.host.internal.reconcile.Reconciler;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.ClusterOverview;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.TlsTrust;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.DeploymentWatch;
import dev.vessel.registry.ConfigurationWatch;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.ConfigurationRevision;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Vessel node: any number of containers, each running one release in its own Felix framework, served on one
 * HTTP port and registered in ZooKeeper while ACTIVE.
 *
 * <p>This class is wiring. {@link #start} binds the port, builds every part complete, then serves and publishes
 * the node; {@link #close} closes the parts in the reverse order and keeps closing when one fails. Each container's
 * life belongs to its {@link Container}; what should run here is the {@link Reconciler}'s job.
 */
public final class VesselNode implements Closeable {
    /**
     * Smallest change of a container's load worth a registry write. Small, because a fast service's load is a
     * fraction (sub-millisecond calls at a few thousand per second are ~0.1 in flight); the 10 % rule and the
     * interval keep the write rate bounded anyway.
     */
    private static final double MIN_LOAD_CHANGE = 0.02;
    private static final Bulkhead.Limits ADMIN_LIMITS = new Bulkhead.Limits(8, 32);
    /** Artifacts being uploaded or fetched at once. */
    private static final int MAX_UNFINISHED_ARTIFACTS = 32;
    /**
     * How long a container may take to hand a configuration revision to its components before it reports them
     * late, and how many containers are reconfigured at once: a release whose component hangs in its modified
     * method holds one of these threads for at most that long and never the node's housekeeping.
     */
    private static final Duration CONFIGURATION_UPTAKE_TIMEOUT = Duration.ofSeconds(5);
    private static final int CONFIGURATION_THREADS = 4;
    private static final Bulkhead.Limits ARTIFACT_READ_LIMITS = new Bulkhead.Limits(8, 64);
    private static final Logger LOG = LoggerFactory.getLogger(VesselNode.class);

    private final NodeConfig config;
    private final ConcurrentMap<ContainerId, Container> containers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What {@link #close} undoes, last built first. */
    private final Deque<Part> parts = new ArrayDeque<>();
    /** Closing this node's quorum member, when it runs one: {@link #closeAllButQuorumMember} stops before it. */
    private Part quorumPart;
    private final Object statusLock = new Object();
    private final AtomicBoolean statusQueued = new AtomicBoolean();
    private final LongAdder artifactBytesServed = new LongAdder();
    private final Deque<FetchReport> fetchReports = new ConcurrentLinkedDeque<>();
    private final ThreadGroup hostThreads = new ThreadGroup("vessel-host");

    private RegistryConnection registry;
    private QuorumMembership quorum;
    private QuorumMembership.Settings quorumSettings;
    private InstanceRegistry instances;
    private NodePresence presence;
    private NodeRecord self;
    private String nodeId;
    private String advertised;
    private NodeHttpServer http;
    private ArtifactCollector collector;
    private ArtifactFetcher fetcher;
    private Reconciler reconciler;
    private ScheduledExecutorService housekeeping;
    private ExecutorService configurationWork;
    private NodeMetrics metrics;
    /** Set once the node acts on desired state; the dashboard reads deployments from it. */
    private volatile DeploymentWatch deploymentWatch;
    private volatile boolean started;
    private volatile boolean readinessReleased;
    private ConfigurationStore configurations;
    private Container.Settings containerSettings;
    /** When container loads were last measured; only the housekeeping thread reads or writes it after start. */
    private long lastLoadTick;

    private interface Part {
        void close() throws Exception;
    }

    private VesselNode(NodeConfig config) {
        this.config = config;
    }

    /**
     * Binds the HTTP port, connects to ZooKeeper, builds every part and then serves and publishes the node. On
     * failure nothing is left running.
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
        VesselNode node = new VesselNode(requireNonNull(config, "config cannot be null"));
        try {
            node.open(registry);
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void open(RegistryConnection sharedRegistry) {
        try {
            Files.createDirectories(config.dataDir().resolve("containers"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        try {
            http = NodeHttpServer.bind(config.bindAddress(), config.port(), config.headerTimeout(),
                    config.tls());
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.bindAddress() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        parts.push(http::close);
        nodeId = config.nodeId().orElseGet(() -> hostName() + "-" + http.port());
        advertised = config.advertiseAddress().orElseGet(() -> config.bindAddress().equals("0.0.0.0")
                ? hostName() : config.bindAddress());
        String zkConnect = config.zkConnect();
        if (config.quorum().isPresent()) {
            // the member first: a founding node's registry is its own member
            quorum = QuorumMembership.start(quorumSettings(config.quorum().get()), config.dataDir().resolve("quorum"),
                    config.zkConnect(), advertised, config.adminToken().orElseThrow(), config.registryRoot(),
                    config.tls().orElse(null), config.registryTls().orElse(null));
            quorumPart = quorum::close;
            parts.push(quorumPart);
            zkConnect = quorum.connectString();
        }
        if (sharedRegistry == null) {
            registry = RegistryConnection.connect(zkConnect, RegistryLayout.at(config.registryRoot()),
                    RegistryConnection.DEFAULT_CONNECT_TIMEOUT, config.secureRegistry()
                            ? RegistryCredentials.forNodes(config.adminToken().orElseThrow()) : null,
                    config.registryTls().orElse(null));
            parts.push(registry::close);
        } else {
            registry = sharedRegistry;
        }
        instances = new InstanceRegistry(registry);
        parts.push(instances::close);
        self = new NodeRecord(nodeId, advertised, http.port(), config.zone(), config.labels(),
                System.currentTimeMillis(), 0, config.tls().isPresent());
        // a framework may take as long to stop as calls may take to drain; past that it is abandoned
        configurations = new ConfigurationStore(registry);
        // a starting container reads its service's configuration fresh, so it never starts on a stale one
        containerSettings = new Container.Settings(config.systemPackagesExtra(), config.readyTimeout(),
                config.drainTimeout(), new Registered(), new Container.Placement(nodeId, config.zone(), advertised,
                        http.port()), id -> configurationFor(configurations.read(id.service()), id));
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-housekeeping-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        parts.push(housekeeping::shutdownNow);
        ThreadPoolExecutor configurationPool = new ThreadPoolExecutor(CONFIGURATION_THREADS,
                CONFIGURATION_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, "vessel-configuration-" + nodeId);
                    thread.setDaemon(true);
                    return thread;
                });
        configurationPool.allowCoreThreadTimeOut(true);
        configurationWork = configurationPool;
        parts.push(configurationPool::shutdownNow);
        parts.push(this::closePresence); // the node record goes after its containers have drained
        parts.push(this::stopContainers);

        ArtifactStore artifacts = new ArtifactStore(config.dataDir().resolve("artifacts"), new ArtifactStore.Limits(
                config.maxArtifactBytes(), config.chunkSize(), config.storeCapacityBytes(), MAX_UNFINISHED_ARTIFACTS));
        artifacts.repairs().forEach(repair -> LOG.warn("node {}: artifact store repaired at start: {}", nodeId, repair));
        ArtifactHolders holders = new ArtifactHolders(registry, nodeId);
        parts.push(holders::close);
        ArtifactPresence artifactPresence = new ArtifactPresence(artifacts, holders, config.zone());
        String token = config.adminToken().orElse(null);
        ArtifactGrant grants = token == null ? null : new ArtifactGrant(token, Clock.systemUTC());
        fetcher = new ArtifactFetcher(artifacts, holders, artifactPresence, new ClusterReader(registry), nodeId,
                config.zone(), grants == null ? () -> null : () -> grants.issue(nodeId), fetchSettings(),
                config.tls().map(t -> TlsTrust.context(t.trustStore(), t.trustStorePassword())).orElse(null),
                this::recordFetch);
        fetcher.onProgress(this::requestStatus);
        ReleaseStore releases = new ReleaseStore(registry);
        DashboardEndpoint dashboard = new DashboardEndpoint(new DashboardSources(), () -> NodeLoad.of(new Lookup()),
                config.tls().map(t -> TlsTrust.context(t.trustStore(), t.trustStorePassword())).orElse(null));
        parts.push(dashboard::close);
        ReleaseValidator validator = new ReleaseValidator(artifacts, fetcher, releases,
                config.dataDir().resolve("scratch"), scratchSettings(), configurations);
        AdminHandler admin = new AdminHandler(token, grants, artifacts, artifactPresence,
                new TokenBucket(config.serveBytesPerSecond()), artifactBytesServed, validator, releases,
                new DeploymentStore(registry), configurations,
                new RegistryReads(), dashboard);
        Bulkhead adminWork = new Bulkhead(hostThreads, "vessel-admin-" + nodeId, ADMIN_LIMITS);
        Bulkhead artifactReads = new Bulkhead(hostThreads, "vessel-artifacts-" + nodeId, ARTIFACT_READ_LIMITS);
        parts.push(adminWork::shutdown);
        parts.push(artifactReads::shutdown);
        collector = new ArtifactCollector(artifacts, artifactPresence, releases, config.artifactGrace());
        metrics = NodeMetrics.start(new MetricSources());
        registry.curator().getConnectionStateListenable().addListener((client, state) ->
                metrics.registryEvent(state.name()));
        if (registryConnected()) {
            metrics.registryEvent("CONNECTED"); // the session was made before anyone listened
        }
        reconciler = new Reconciler(new ReconciledNode(), releases, artifacts, fetcher,
                new Reconciler.Settings(config.resyncInterval(), Duration.ofSeconds(1), Duration.ofSeconds(15)));
        parts.push(reconciler::close);

        // every part is built: serve, then publish (registration follows reachability), then act on desired state
        try {
            http.serve(new Lookup(), config.maxRequestBytes(), config.bodyTimeout(), admin, adminWork, artifactReads,
                    metrics);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.bindAddress() + ":" + http.port()
                    + ": " + e.getMessage(), e);
        }
        synchronized (statusLock) {
            presence = NodePresence.publish(registry, self, RegistryConnection.DEFAULT_CONNECT_TIMEOUT.toMillis());
        }
        artifactPresence.announceAll(); // after a restart: the local store is offered again, never re-downloaded
        long every = Math.max(60_000, config.artifactGrace().toMillis() / 4);
        housekeeping.scheduleWithFixedDelay(this::collectQuietly, every, every, TimeUnit.MILLISECONDS);
        long loadEvery = config.loadPublishInterval().toNanos();
        lastLoadTick = System.nanoTime();
        housekeeping.scheduleAtFixedRate(this::publishLoads, loadEvery, loadEvery, TimeUnit.NANOSECONDS);
        DeploymentWatch deploymentWatch = DeploymentWatch.start(registry, reconciler::desired);
        parts.push(deploymentWatch::close);
        this.deploymentWatch = deploymentWatch;
        ConfigurationWatch configurationWatch = ConfigurationWatch.start(registry,
                service -> configure(() -> reconfigure(service)));
        parts.push(configurationWatch::close);
        if (quorum != null) {
            quorum.join(nodeId, config.zone(), quorumSettings(config.quorum().get()));
        }
        LOG.info("node {} serving on {} (registry {} at {})", nodeId, url(), config.registryRoot(),
                quorum != null ? quorum.connectString() : config.zkConnect());
        started = true;
    }

    /**
     * Lets {@code /v1/health} answer {@code UP} for a node started with {@link NodeConfig#readinessHeld}; without
     * it the node is ready as soon as it started, and this changes nothing.
     */
    public void markReady() {
        readinessReleased = true;
    }

    private ArtifactFetcher.Settings fetchSettings() {
        ArtifactFetcher.Settings defaults = ArtifactFetcher.Settings.defaults();
        return new ArtifactFetcher.Settings(config.peerFetch() ? defaults.mode() : ArtifactFetcher.Mode.ORIGIN_ONLY,
                defaults.parallelChunks(), defaults.perPeerLimit(), config.chunkTimeout(),
                config.fetchStallTimeout(), defaults.originFallback());
    }

    /** Scratch containers (release validation's dry runs) are never registered. */
    /** A dry run starts the release with the configuration it would receive, as its real containers will. */
    private Container.Settings scratchSettings() {
        return new Container.Settings(config.systemPackagesExtra(), config.readyTimeout(), config.drainTimeout(),
                Container.Registration.NONE, containerSettings.placement(), containerSettings.configuration());
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

    public String nodeId() {
        return nodeId;
    }

    /** The client address of the quorum member this node runs, if it runs one. */
    public Optional<String> quorumMember() {
        return quorum == null ? Optional.empty() : Optional.of(quorum.self().clientAddress());
    }

    /** Free ports picked once (0 in the configuration), so both uses below agree. */
    private QuorumMembership.Settings quorumSettings(NodeConfig.Quorum q) {
        if (quorumSettings == null) {
            quorumSettings = new QuorumMembership.Settings(q.found(), portOrFree(q.clientPort()),
                    portOrFree(q.peerPort()), portOrFree(q.electionPort()), q.voters(), q.stabilization(),
                    q.removalThreshold());
        }
        return quorumSettings;
    }

    private static int portOrFree(int port) {
        if (port != 0) {
            return port;
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the quorum member", e);
        }
    }

    public int port() {
        return http.port();
    }

    public URI url() {
        return URI.create((config.tls().isPresent() ? "https://" : "http://")
                + (advertised.contains(":") ? "[" + advertised + "]" : advertised) + ":" + http.port());
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
        Container container = newContainer(release.id());
        long started = System.nanoTime();
        container.start(release, weight, limits(0));
        metrics.containerStarted(container.state() == InstanceState.ACTIVE, System.nanoTime() - started);
        return container.info();
    }

    /** A new PENDING container for {@code id}, in place of an ended one. */
    private Container newContainer(ContainerId id) {
        if (closed.get()) {
            throw new IllegalStateException("node " + nodeId + " is closed");
        }
        Container fresh = new Container(id, config.dataDir().resolve("containers").resolve(id.toString()),
                containerSettings, this::containerChanged);
        Container current = containers.compute(id, (key, existing) ->
                existing != null && !existing.state().isTerminal() ? existing : fresh);
        if (current != fresh) {
            throw new IllegalStateException(id + " already runs on node " + nodeId + " (" + current.state() + ")");
        }
        requestStatus();
        return fresh;
    }

    private Bulkhead.Limits limits(int maxConcurrency) {
        int concurrency = maxConcurrency > 0 ? maxConcurrency : config.maxConcurrency();
        return new Bulkhead.Limits(concurrency, concurrency);
    }

    /**
     * Removes the container from the registry, lets calls in flight finish (bounded by the drain timeout) and
     * stops it. Calls that still arrive are refused with {@code 503 Vessel-Retry: other}.
     *
     * @throws IllegalArgumentException if no such container exists on this node
     */
    public ContainerInfo stop(String service, String version) {
        ContainerId id = ContainerId.of(service, version);
        Container container = containers.get(id);
        if (container == null) {
            throw new IllegalArgumentException("node " + nodeId + " has no container " + id + "; it has "
                    + containers.keySet());
        }
        container.stop(config.drainDelay(), config.drainTimeout());
        return container.info();
    }

    /**
     * Gives configuration {@code pid} of a running container these properties, live, through the container's own
     * Configuration Admin: the release's components get them the ordinary OSGi way, without a restart.
     *
     * @throws IllegalArgumentException if no such container exists on this node
     * @throws IllegalStateException    if it does not run, or Configuration Admin refuses the properties
     */
    public void configure(String service, String version, String pid, Map<String, ?> properties) {
        existing(service, version).configure(pid, properties);
    }

    /** Removes configuration {@code pid} from a running container: its components go back to their defaults. */
    public void unconfigure(String service, String version, String pid) {
        existing(service, version).unconfigure(pid);
    }

    /** Configuration {@code pid} as a running container's Configuration Admin holds it (empty if none). */
    public Map<String, Object> configuration(String service, String version, String pid) {
        return existing(service, version).configuration(pid);
    }

    private Container existing(String service, String version) {
        ContainerId id = ContainerId.of(service, version);
        Container container = containers.get(id);
        if (container == null) {
            throw new IllegalArgumentException("node " + nodeId + " has no container " + id + "; it has "
                    + containers.keySet());
        }
        return container;
    }

    /** Changes the weight a running container is registered with; it never leaves the registry meanwhile. */
    public void setWeight(String service, String version, int weight) {
        Container container = containers.get(ContainerId.of(service, version));
        if (container != null && container.state() == InstanceState.ACTIVE) {
            container.update(weight, container.limits());
        }
    }

    /**
     * Measures each container's load — its call time since the last tick over the tick's length, the average
     * number of calls in flight — and publishes it (see {@link Container#publishLoad}).
     */
    private void publishLoads() {
        long now = System.nanoTime();
        double elapsed = Math.max(1, now - lastLoadTick);
        lastLoadTick = now;
        for (Container container : containers.values()) {
            double load = Math.round(container.takeBusyNanos() / elapsed * 100) / 100.0;
            container.measureCallRate(elapsed);
            try {
                container.publishLoad(load, MIN_LOAD_CHANGE);
            } catch (RuntimeException e) {
                LOG.debug("could not publish the load of {}; next tick tries again", container.id(), e);
            }
        }
    }

    /** Every container this node has run since it started, by service then version. */
    public List<ContainerInfo> containers() {
        return sortedContainers().stream().map(Container::info).toList();
    }

    private List<Container> sortedContainers() {
        List<Container> list = new ArrayList<>(containers.values());
        list.sort((a, b) -> a.id().compareTo(b.id()));
        return list;
    }

    /** What of a revision applies to a container of this node (targets by version range and node selector). */
    private Container.Configuration configurationFor(ConfigurationRevision revision, ContainerId id) {
        Set<String> secrets = new HashSet<>();
        revision.secretValues().values().forEach(values -> values.values().forEach(v -> secrets.add(v.toString())));
        return new Container.Configuration(revision.revision(), revision.effectiveFor(id.version(), self), secrets);
    }

    /** Gives every running container of {@code service} its newest configuration revision, live. */
    private void reconfigure(String service) {
        ConfigurationRevision current;
        try {
            current = configurations.read(service);
        } catch (RuntimeException e) {
            LOG.warn("node {}: cannot read the configuration of {} (the next change or restart retries): {}",
                    nodeId, service, e.getMessage());
            return;
        }
        for (Container container : containers.values()) {
            if (container.id().service().equals(service)) {
                Container.Configuration next = configurationFor(current, container.id());
                // each container on its own: one whose components are slow to take it never delays another
                configure(() -> {
                    try {
                        if (container.reconfigure(next, CONFIGURATION_UPTAKE_TIMEOUT)) {
                            requestStatus();
                        }
                    } catch (InterruptedException closing) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }
    }

    private boolean registryConnected() {
        return registry.curator().getZookeeperClient().isConnected();
    }

    private void containerChanged(Container container) {
        if (container.state() == InstanceState.ACTIVE) {
            // a revision written while it started found it not yet running: it is given now (a no-op if it has it)
            configure(() -> reconfigure(container.id().service()));
        }
        requestStatus();
    }

    private void configure(Runnable work) {
        try {
            configurationWork.execute(work);
        } catch (RejectedExecutionException closing) {
            LOG.debug("node {} is closing: a configuration change is left to its next start", nodeId);
        }
    }

    /** Publishes the node's status soon, once for any number of requests meanwhile; never blocks the caller. */
    private void requestStatus() {
        if (statusQueued.compareAndSet(false, true)) {
            try {
                housekeeping.execute(this::publishStatus);
            } catch (RuntimeException closing) {
                statusQueued.set(false);
            }
        }
    }

    private void publishStatus() {
        statusQueued.set(false);
        synchronized (statusLock) {
            NodePresence current = presence;
            if (current == null) {
                return;
            }
            List<ContainerStatus> statuses = sortedContainers().stream().map(c -> c.info().toStatus()).toList();
            try {
                List<NodeStatus.FetchProgress> fetches = new ArrayList<>();
                fetcher.active().forEach((sha, p) -> fetches.add(new NodeStatus.FetchProgress(sha, p[0], p[1])));
                current.update(new NodeStatus(nodeId, statuses, System.currentTimeMillis(), fetches,
                        reconciler.behind()));
            } catch (RegistryException e) {
                LOG.warn("could not publish status of node {}: {}", nodeId, e.getMessage());
            }
        }
    }

    /** Deregisters and stops every container (after one shared drain delay), then undoes every other part. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeParts(null);
    }

    /**
     * Stops everything but this node's quorum member, which {@link #close} then stops. To stop several nodes
     * that run the quorum together, call this on each first: every node deregisters while the quorum still has
     * its majority (stopped one after another, the last ones would write to a quorum without one, each write
     * waiting out its retries).
     */
    public void closeAllButQuorumMember() {
        closeParts(quorumPart);
    }

    private synchronized void closeParts(Part stopAt) {
        while (!parts.isEmpty() && (stopAt == null || parts.peek() != stopAt)) {
            Part part = parts.pop();
            try {
                part.close();
            } catch (Exception | Error e) {
                LOG.warn("node {}: a part did not close cleanly; closing the rest", nodeId, e);
            }
        }
    }

    /** Every container leaves the registry first, then all wait out one drain delay together, then stop. */
    private void stopContainers() {
        boolean anyRegistered = false;
        for (Container container : containers.values()) {
            anyRegistered |= container.leaveRegistry();
        }
        if (anyRegistered && !config.drainDelay().isZero()) {
            try {
                Thread.sleep(config.drainDelay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Container container : containers.values()) {
            try {
                container.drainAndStop(config.drainTimeout());
            } catch (RuntimeException e) {
                LOG.warn("container {} did not stop cleanly", container.id(), e);
            }
        }
    }

    private void closePresence() {
        synchronized (statusLock) {
            if (presence != null) {
                presence.close();
                presence = null;
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** A container's registration goes through the node's instance registry. */
    private final class Registered implements Container.Registration {
        @Override
        public void register(InstanceRecord record) {
            instances.register(record);
        }

        @Override
        public void update(InstanceRecord record) {
            instances.update(record);
        }

        @Override
        public void unregister(InstanceRecord record) {
            instances.unregister(record);
        }
    }

    private final class ReconciledNode implements Reconciler.Node {
        @Override
        public NodeRecord self() {
            return self;
        }

        @Override
        public boolean registryConnected() {
            return VesselNode.this.registryConnected();
        }

        @Override
        public void started(Container container, long nanos) {
            metrics.containerStarted(container.state() == InstanceState.ACTIVE, nanos);
        }

        @Override
        public void reconciled(String outcome, long nanos) {
            metrics.reconciled(outcome, nanos);
        }

        @Override
        public Optional<Container> container(ContainerId id) {
            return Optional.ofNullable(containers.get(id));
        }

        @Override
        public Container newContainer(ContainerId id) {
            return VesselNode.this.newContainer(id);
        }

        @Override
        public List<Container> containers(String service) {
            return sortedContainers().stream().filter(c -> c.id().service().equals(service)).toList();
        }

        @Override
        public void retire(Container container) {
            container.stop(config.drainDelay(), config.drainTimeout());
        }

        @Override
        public Bulkhead.Limits limits(int maxConcurrency) {
            return VesselNode.this.limits(maxConcurrency);
        }

        @Override
        public void changed() {
            requestStatus();
        }
    }

    /** The ZooKeeper connect string the node uses: its quorum's current members when it runs one, else the configured one. */
    private String zkConnectShown() {
        if (quorum == null) {
            return config.zkConnect();
        }
        // Curator follows the ensemble's configuration: members that joined after this node connected included
        String current = registry.curator().getZookeeperClient().getCurrentConnectionString();
        return current == null || current.isBlank() ? quorum.connectString() : current;
    }

    private final class RegistryReads implements AdminHandler.ClusterReads {
        @Override
        public ClusterOverview overview() {
            return ClusterOverview.read(new ClusterReader(registry), zkConnectShown());
        }

        @Override
        public List<InstanceRecord> instances(String service) {
            return new ClusterReader(registry).instances(service);
        }

        @Override
        public Convergence convergence(Deployment target) {
            return Convergence.of(new ClusterReader(registry), target);
        }
    }

    private final class DashboardSources implements DashboardEndpoint.Sources {
        @Override
        public String nodeId() {
            return nodeId;
        }

        @Override
        public String zk() {
            return zkConnectShown();
        }

        @Override
        public ClusterReader cluster() {
            return new ClusterReader(registry);
        }

        @Override
        public Map<String, Deployment> deployments() {
            DeploymentWatch watch = deploymentWatch;
            return watch == null ? Map.of() : watch.current();
        }

        @Override
        public QuorumStatus quorum() throws Exception {
            return QuorumStatus.read(registry.curator(), config.registryRoot());
        }

        @Override
        public boolean registryConnected() {
            return VesselNode.this.registryConnected();
        }
    }

    private final class MetricSources implements NodeMetrics.Sources {
        @Override
        public List<Container> containers() {
            return sortedContainers();
        }

        @Override
        public long artifactBytesServed() {
            return VesselNode.this.artifactBytesServed();
        }

        @Override
        public long artifactBytesFetched() {
            return fetcher.bytesFetched();
        }

        @Override
        public boolean registryConnected() {
            return VesselNode.this.registryConnected();
        }
    }

    private final class Lookup implements ContainerLookup {
        @Override
        public Container find(String service, String version) {
            try {
                return containers.get(ContainerId.of(service, version));
            } catch (IllegalArgumentException notAName) {
                return null;
            }
        }

        @Override
        public boolean hasService(String service) {
            return containers.keySet().stream().anyMatch(id -> id.service().equals(service));
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

        @Override
        public boolean ready() {
            return started && (readinessReleased || !config.readinessHeld());
        }
    }
}
