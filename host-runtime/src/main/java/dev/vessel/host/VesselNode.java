package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.internal.admin.AdminApi;
import dev.vessel.host.internal.admin.ArtifactGrant;
import dev.vessel.host.internal.admin.ClusterView;
import dev.vessel.host.internal.artifact.ArtifactDistribution;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.container.StoredConfiguration;
import dev.vessel.host.internal.cpu.CpuIsolation;
import dev.vessel.host.internal.fs.OwnerOnly;
import dev.vessel.host.internal.http.HostNames;
import dev.vessel.host.internal.http.NodeHttpServer;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.host.internal.rollout.NodeCalls;
import dev.vessel.host.internal.rollout.RolloutDriver;
import dev.vessel.host.internal.node.StatusPublisher;
import dev.vessel.host.internal.quorum.QuorumMembership;
import dev.vessel.host.internal.reconcile.Reconciler;
import dev.vessel.host.internal.reconcile.StoredReleases;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.ConfigurationWatch;
import dev.vessel.registry.DeploymentWatch;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.RegistryUnreachableException;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.TrustStore;
import dev.vessel.registry.TlsTrust;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private static final Logger LOG = LoggerFactory.getLogger(VesselNode.class);

    private final NodeConfig config;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What {@link #close} undoes, last built first. */
    private final Deque<Closeable> parts = new ArrayDeque<>();
    /** Closing this node's quorum member, when it runs one: {@link #closeAllButQuorumMember} stops before it. */
    private Closeable quorumPart;
    private final ThreadGroup hostThreads = new ThreadGroup("vessel-host");

    private NodeHttpServer http;
    private QuorumMembership quorum;
    private String nodeId;
    private String advertised;
    private ContainerTable containers;
    private ArtifactDistribution artifacts;
    private CpuIsolation cpu;
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
            OwnerOnly.directory(config.dataDir());
            Files.createDirectories(config.dataDir().resolve("containers"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        try {
            http = NodeHttpServer.bind(config.bindAddress(), config.port(), config.headerTimeout(), config.tls(),
                    config.connectionsPerClient());
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.bindAddress() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        parts.push(http);
        nodeId = config.nodeId().orElseGet(() -> hostName() + "-" + http.port());
        advertised = config.advertiseAddress().orElseGet(() -> config.bindAddress().equals("0.0.0.0")
                ? hostName() : config.bindAddress());
        String zkConnect = config.zkConnect();
        if (config.quorum().isPresent()) { // the member first: a founding node's registry is its own member
            quorum = QuorumMembership.start(config, advertised);
            quorumPart = quorum;
            parts.push(quorumPart);
            zkConnect = quorum.connectString();
        }
        RegistryConnection registry = sharedRegistry != null ? sharedRegistry : own(awaitRegistry(zkConnect));
        InstanceRegistry instances = own(new InstanceRegistry(registry));
        int advertisedPort = config.advertisePort() == 0 ? http.port() : config.advertisePort();
        NodeRecord self = new NodeRecord(nodeId, advertised, advertisedPort, config.zone(), config.labels(),
                System.currentTimeMillis(), 0, config.tls().isPresent());
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-housekeeping-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        parts.push(housekeeping::shutdownNow);
        StatusPublisher status = own(new StatusPublisher(nodeId, housekeeping)); // closed after containers drained

        // containers
        cpu = own(CpuIsolation.start(config.cpuIsolation(), nodeId, config.cpuReserve()));
        ConfigurationStore configurations = new ConfigurationStore(registry);
        Container.Placement placement = new Container.Placement(nodeId, config.zone(), advertised, advertisedPort);
        // the store's jars are read in place (they never change); a local release's are copied, as their owner may
        // rebuild them while the node runs
        Path artifactStore = ArtifactDistribution.Settings.storeDirectory(config).toAbsolutePath();
        containers = own(new ContainerTable(nodeId, config.dataDir().resolve("containers"),
                new Container.Settings(config.systemPackagesExtra(), config.readyTimeout(), config.drainTimeout(),
                        Container.Registration.through(instances), placement,
                        new StoredConfiguration(configurations, self), cpu,
                        jar -> artifactStore.equals(jar.toAbsolutePath().getParent())),
                ContainerTable.Policy.of(config), status::request));

        // artifacts, the admin API and the dashboard
        String token = config.adminToken().orElse(null);
        ArtifactGrant grants = token == null ? null : new ArtifactGrant(token, Clock.systemUTC());
        SSLContext peerTls = config.tls().map(t -> TlsTrust.context(t.trustStore(), t.trustStorePassword()))
                .orElse(null);
        ReleaseStore releases = new ReleaseStore(registry);
        artifacts = own(ArtifactDistribution.open(registry, releases, nodeId, ArtifactDistribution.Settings.of(
                config, peerTls, grants == null ? null : () -> grants.issue(nodeId))));
        artifacts.fetcher().onProgress(status::request);
        ClusterView cluster = new ClusterView(registry, nodeId, config.registryRoot(),
                quorum != null ? quorum.connectString() : config.zkConnect(), quorum != null);
        NodeMetrics metrics = NodeMetrics.start(containers::all, artifacts.bytesServed()::sum,
                artifacts.fetcher()::bytesFetched, registry::connected);
        metrics.follow(registry);
        AdminApi admin = own(new AdminApi(new AdminApi.Settings(nodeId, token, grants,
                config.dataDir().resolve("scratch"), peerTls), registry, cluster, containers, artifacts, releases,
                configurations, quorum, metrics, hostThreads));

        // desired state
        Reconciler reconciler = own(new Reconciler(self, registry::connected, containers,
                new StoredReleases(releases, new TrustStore(registry), artifacts.store(), artifacts.fetcher()), metrics,
                status::request, config.localReleases(), new Reconciler.Settings(config.resyncInterval(), Duration.ofSeconds(1),
                        Duration.ofSeconds(15))));

        // every part is built: serve, then publish (registration follows reachability), then act on desired state
        try {
            http.serve(containers, this::ready, artifacts.bytesServed()::sum, config.maxRequestBytes(),
                    config.bodyTimeout(), admin.handler(), admin.work(), admin.artifactReads(), metrics,
                    hostNames());
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.bindAddress() + ":" + http.port()
                    + ": " + e.getMessage(), e);
        }
        status.publish(registry, self, containers, artifacts.fetcher(), reconciler);
        artifacts.start(housekeeping);
        containers.publishLoads(housekeeping, config.loadPublishInterval());
        cluster.follow(own(DeploymentWatch.start(registry, reconciler::desired)));
        own(ConfigurationWatch.start(registry, containers::reconfigure));
        if (quorum != null) {
            quorum.join(nodeId, config.zone());
        }
        if (token != null) { // rollouts are started through the admin API, and measured through every node's
            own(new RolloutDriver(registry, nodeId, new NodeCalls(nodeId, containers, token, peerTls), metrics)
                    .start());
        }
        // closed first: from the moment the node stops, what comes is refused, to be retried elsewhere, while
        // what it runs drains
        parts.push(http::stopServing);
        LOG.info("node {} serving on {} (registry {} at {})", nodeId, url(), config.registryRoot(), zkConnect);
        started = true;
    }

    /**
     * A session to the registry, waiting for one as long as {@link NodeConfig#registryWait} allows: a node restarted
     * during a registry outage comes up once the registry does, rather than failing.
     */
    private RegistryConnection awaitRegistry(String zkConnect) {
        Duration wait = config.registryWait();
        long started = System.nanoTime();
        long deadline = wait.isZero() ? Long.MAX_VALUE : started + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Duration attempt = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                    Math.min(left, RegistryConnection.DEFAULT_CONNECT_TIMEOUT.toNanos())));
            try {
                return RegistryConnection.connect(zkConnect, RegistryLayout.at(config.registryRoot()), attempt,
                        config.secureRegistry() ? RegistryCredentials.forNodes(config.adminToken().orElseThrow())
                                : null, config.registryTls().orElse(null));
            } catch (RegistryUnreachableException e) {
                if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                LOG.warn("node {}: {}; waiting for it ({} s so far), running nothing meanwhile", nodeId,
                        e.getMessage(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            }
        }
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

    /**
     * Removes the artifacts no release references that are older than the grace period; runs on its own every
     * quarter of the grace period (at least every minute).
     *
     * @return the digests removed
     */
    public List<String> collectGarbage() throws IOException {
        return artifacts.collect();
    }

    /** How the artifacts this node lacked reached it, most recent last (at most 100). */
    public List<FetchReport> fetchReports() {
        return artifacts.fetchReports();
    }

    /** Bytes of artifacts this node has served to peers and uploaders' readers since it started. */
    public long artifactBytesServed() {
        return artifacts.bytesServed().sum();
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

    /** How this node keeps its containers' CPU apart, and why that way. */
    public NodeStatus.CpuIsolation cpuIsolation() {
        return new NodeStatus.CpuIsolation(cpu.mechanism(), cpu.reason(), cpu.capacity());
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

    /**
     * The names this node answers calls to besides its addresses and {@code localhost}: its configured names, its
     * advertised and bound address, and the machine's name.
     */
    private HostNames hostNames() {
        List<String> names = new ArrayList<>(config.hostNames());
        names.add(advertised);
        names.add(config.bindAddress());
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            // the machine has no name it can resolve; addresses and configured names remain
        }
        return HostNames.of(names);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
