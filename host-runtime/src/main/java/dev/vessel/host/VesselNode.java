package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.internal.admin.AdminHandler;
import dev.vessel.host.internal.admin.ArtifactGrant;
import dev.vessel.host.internal.admin.ClusterView;
import dev.vessel.host.internal.admin.DashboardEndpoint;
import dev.vessel.host.internal.artifact.ArtifactCollector;
import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.artifact.ArtifactPresence;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.artifact.FetchLog;
import dev.vessel.host.internal.artifact.TokenBucket;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.container.StoredConfiguration;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.host.internal.http.NodeHttpServer;
import dev.vessel.host.internal.http.NodeLoad;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.host.internal.node.StatusPublisher;
import dev.vessel.host.internal.quorum.QuorumMembership;
import dev.vessel.host.internal.reconcile.Reconciler;
import dev.vessel.host.internal.reconcile.StoredReleases;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.ConfigurationWatch;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.DeploymentWatch;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.TlsTrust;
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
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Vessel node: any number of containers, each running one release in its own Felix framework, served on one
 * HTTP port and registered in ZooKeeper while ACTIVE.
 *
 * <p>This class is wiring and nothing else. {@link #start} binds the port, builds every part complete, then
 * serves, publishes the node and acts on desired state; {@link #close} closes the parts in the reverse order and
 * keeps closing when one fails. The containers belong to the {@link ContainerTable}; what should run in them is
 * the {@link Reconciler}'s job; the node's record and status are the {@link StatusPublisher}'s.
 */
public final class VesselNode implements Closeable {
    /**
     * Smallest change of a container's load worth a registry write. Small, because a fast service's load is a
     * fraction (sub-millisecond calls at a few thousand per second are ~0.1 in flight); the 10 % rule and the
     * interval keep the write rate bounded anyway.
     */
    private static final double MIN_LOAD_CHANGE = 0.02;
    private static final Bulkhead.Limits ADMIN_LIMITS = new Bulkhead.Limits(8, 32);
    private static final Bulkhead.Limits ARTIFACT_READ_LIMITS = new Bulkhead.Limits(8, 64);
    /** Artifacts being uploaded or fetched at once. */
    private static final int MAX_UNFINISHED_ARTIFACTS = 32;
    /** How long a container may take to hand a configuration revision to its components before it reports them late. */
    private static final Duration CONFIGURATION_UPTAKE_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(VesselNode.class);

    private final NodeConfig config;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What {@link #close} undoes, last built first. */
    private final Deque<Closeable> parts = new ArrayDeque<>();
    /** Closing this node's quorum member, when it runs one: {@link #closeAllButQuorumMember} stops before it. */
    private Closeable quorumPart;
    private final ThreadGroup hostThreads = new ThreadGroup("vessel-host");
    private final LongAdder artifactBytesServed = new LongAdder();

    private NodeHttpServer http;
    private QuorumMembership quorum;
    private String nodeId;
    private String advertised;
    private ContainerTable containers;
    private FetchLog fetchLog;
    private ArtifactCollector collector;
    private volatile boolean started;
    private volatile boolean readinessReleased;

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
            http = NodeHttpServer.bind(config.bindAddress(), config.port(), config.headerTimeout(), config.tls());
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.bindAddress() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        parts.push(http);
        nodeId = config.nodeId().orElseGet(() -> hostName() + "-" + http.port());
        advertised = config.advertiseAddress().orElseGet(() -> config.bindAddress().equals("0.0.0.0")
                ? hostName() : config.bindAddress());
        String zkConnect = config.zkConnect();
        QuorumMembership.Settings quorumSettings = config.quorum().map(QuorumMembership.Settings::from).orElse(null);
        if (quorumSettings != null) { // the member first: a founding node's registry is its own member
            quorum = QuorumMembership.start(quorumSettings, config.dataDir().resolve("quorum"), config.zkConnect(),
                    advertised, config.adminToken().orElseThrow(), config.registryRoot(), config.tls().orElse(null),
                    config.registryTls().orElse(null));
            quorumPart = quorum;
            parts.push(quorumPart);
            zkConnect = quorum.connectString();
        }
        RegistryConnection registry = sharedRegistry != null ? sharedRegistry : own(RegistryConnection.connect(
                zkConnect, RegistryLayout.at(config.registryRoot()), RegistryConnection.DEFAULT_CONNECT_TIMEOUT,
                config.secureRegistry() ? RegistryCredentials.forNodes(config.adminToken().orElseThrow()) : null,
                config.registryTls().orElse(null)));
        InstanceRegistry instances = own(new InstanceRegistry(registry));
        NodeRecord self = new NodeRecord(nodeId, advertised, http.port(), config.zone(), config.labels(),
                System.currentTimeMillis(), 0, config.tls().isPresent());
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-housekeeping-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        parts.push(housekeeping::shutdownNow);
        StatusPublisher status = own(new StatusPublisher(nodeId, housekeeping)); // closed after containers drained

        // containers
        ConfigurationStore configurations = new ConfigurationStore(registry);
        Container.Placement placement = new Container.Placement(nodeId, config.zone(), advertised, http.port());
        containers = own(new ContainerTable(nodeId, config.dataDir().resolve("containers"),
                new Container.Settings(config.systemPackagesExtra(), config.readyTimeout(), config.drainTimeout(),
                        Container.Registration.through(instances), placement,
                        new StoredConfiguration(configurations, self)),
                new ContainerTable.Policy(config.drainDelay(), config.drainTimeout(), config.maxConcurrency(),
                        CONFIGURATION_UPTAKE_TIMEOUT), status::request));

        // artifacts
        ArtifactStore artifacts = new ArtifactStore(config.dataDir().resolve("artifacts"), new ArtifactStore.Limits(
                config.maxArtifactBytes(), config.chunkSize(), config.storeCapacityBytes(), MAX_UNFINISHED_ARTIFACTS));
        artifacts.repairs().forEach(repair -> LOG.warn("node {}: artifact store repaired at start: {}", nodeId, repair));
        ArtifactHolders holders = own(new ArtifactHolders(registry, nodeId));
        ArtifactPresence artifactPresence = new ArtifactPresence(artifacts, holders, config.zone());
        String token = config.adminToken().orElse(null);
        ArtifactGrant grants = token == null ? null : new ArtifactGrant(token, Clock.systemUTC());
        SSLContext peerTls = config.tls().map(t -> TlsTrust.context(t.trustStore(), t.trustStorePassword()))
                .orElse(null);
        fetchLog = new FetchLog(nodeId);
        ArtifactFetcher fetcher = own(new ArtifactFetcher(artifacts, holders, artifactPresence,
                new ClusterReader(registry), nodeId, config.zone(),
                grants == null ? () -> null : () -> grants.issue(nodeId), fetchSettings(), peerTls, fetchLog));
        fetcher.onProgress(status::request);
        ReleaseStore releases = new ReleaseStore(registry);
        collector = new ArtifactCollector(artifacts, artifactPresence, releases, config.artifactGrace());

        // admin API and dashboard
        ClusterView cluster = new ClusterView(registry, nodeId, config.registryRoot(),
                quorum != null ? quorum.connectString() : config.zkConnect(), quorum != null);
        DashboardEndpoint dashboard = own(new DashboardEndpoint(cluster, () -> NodeLoad.of(containers), peerTls));
        ReleaseValidator validator = new ReleaseValidator(artifacts, fetcher, releases,
                config.dataDir().resolve("scratch"), containers.settings().unregistered(), configurations);
        AdminHandler admin = new AdminHandler(token, grants, artifacts, artifactPresence,
                new TokenBucket(config.serveBytesPerSecond()), artifactBytesServed, validator, releases,
                new DeploymentStore(registry), configurations, cluster, dashboard);
        Bulkhead adminWork = new Bulkhead(hostThreads, "vessel-admin-" + nodeId, ADMIN_LIMITS);
        parts.push(adminWork::shutdown);
        Bulkhead artifactReads = new Bulkhead(hostThreads, "vessel-artifacts-" + nodeId, ARTIFACT_READ_LIMITS);
        parts.push(artifactReads::shutdown);
        NodeMetrics metrics = NodeMetrics.start(containers::all, artifactBytesServed::sum, fetcher::bytesFetched,
                registry::connected);
        metrics.follow(registry);
        Reconciler reconciler = own(new Reconciler(self, registry::connected, containers,
                new StoredReleases(releases, artifacts, fetcher), metrics, status::request, config.localReleases(),
                new Reconciler.Settings(config.resyncInterval(), Duration.ofSeconds(1), Duration.ofSeconds(15))));

        // every part is built: serve, then publish (registration follows reachability), then act on desired state
        try {
            http.serve(containers, this::ready, artifactBytesServed::sum, config.maxRequestBytes(),
                    config.bodyTimeout(), admin, adminWork, artifactReads, metrics);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.bindAddress() + ":" + http.port()
                    + ": " + e.getMessage(), e);
        }
        status.publish(registry, self, containers, fetcher, reconciler);
        artifactPresence.announceAll(); // after a restart: the local store is offered again, never re-downloaded
        long collectEvery = Math.max(60_000, config.artifactGrace().toMillis() / 4);
        housekeeping.scheduleWithFixedDelay(this::collectQuietly, collectEvery, collectEvery, TimeUnit.MILLISECONDS);
        long loadEvery = config.loadPublishInterval().toNanos();
        housekeeping.scheduleAtFixedRate(() -> containers.measureLoads(MIN_LOAD_CHANGE), loadEvery, loadEvery,
                TimeUnit.NANOSECONDS);
        cluster.follow(own(DeploymentWatch.start(registry, reconciler::desired)));
        own(ConfigurationWatch.start(registry, containers::reconfigure));
        if (quorum != null) {
            quorum.join(nodeId, config.zone(), quorumSettings);
        }
        LOG.info("node {} serving on {} (registry {} at {})", nodeId, url(), config.registryRoot(), zkConnect);
        started = true;
    }

    /** Registers {@code part} to be closed with the node (last built, first closed) and returns it. */
    private <T extends Closeable> T own(T part) {
        parts.push(part);
        return part;
    }

    private boolean ready() {
        return started && (readinessReleased || !config.readinessHeld());
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
        return fetchLog.recent();
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

    public int port() {
        return http.port();
    }

    public URI url() {
        return URI.create((config.tls().isPresent() ? "https://" : "http://")
                + (advertised.contains(":") ? "[" + advertised + "]" : advertised) + ":" + http.port());
    }

    /** Every container this node has run since it started, by service then version. */
    public List<ContainerInfo> containers() {
        return containers.all().stream().map(Container::info).toList();
    }

    /**
     * Configuration {@code pid} as a running container's Configuration Admin holds it (empty if none).
     *
     * @throws IllegalArgumentException if no such container exists on this node
     * @throws IllegalStateException    if it does not run
     */
    public Map<String, Object> configuration(String service, String version, String pid) {
        return containers.existing(ContainerId.of(service, version)).configuration(pid);
    }

    /** Deregisters and stops every container (after one shared drain delay), then undoes every other part. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeParts(null);
        }
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

    private synchronized void closeParts(Closeable stopAt) {
        while (!parts.isEmpty() && (stopAt == null || parts.peek() != stopAt)) {
            Closeable part = parts.pop();
            try {
                part.close();
            } catch (Exception | Error e) {
                LOG.warn("node {}: a part did not close cleanly; closing the rest", nodeId, e);
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
}
