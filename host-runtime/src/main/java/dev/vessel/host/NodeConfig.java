package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.RegistryTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a node runs. Only the ZooKeeper connect string and the data directory have no default.
 *
 * @param zkConnect           ZooKeeper connect string, {@code host:port[,host:port...]}
 * @param registryRoot        registry root path, default {@code /vessel}
 * @param dataDir             where containers keep their framework storage
 * @param nodeId              node id; empty means {@code <hostname>-<port>}
 * @param bindAddress         address the HTTP server binds, default {@code 127.0.0.1}
 * @param advertiseAddress    address routers use to reach this node; empty means the bind address
 * @param port                HTTP port, default 7070; 0 picks a free one
 * @param advertisePort       port routers and peers use to reach this node, when something between them and the
 *                            node forwards another port to it (a container's published port, a relay); 0 means the
 *                            port the node serves on, the default
 * @param zone                failure zone, default {@code default}
 * @param labels              free-form labels published with the node
 * @param systemPackagesExtra host packages exported into every container
 *                            ({@code org.osgi.framework.system.packages.extra}), default org.slf4j
 * @param readyTimeout        how long a starting container may take to register its endpoints, default 10 s
 * @param drainTimeout        how long a stopping container waits for calls in flight, default 5 s
 * @param maxRequestBytes     largest call body accepted, default 1 MiB
 * @param adminToken          bearer token the admin API requires; empty disables the admin API
 * @param drainDelay          how long a retired container keeps serving after leaving the registry, so every
 *                            router has seen it go before it refuses calls; default 250 ms
 * @param maxArtifactBytes    largest artifact (bundle jar) accepted, default 256 MiB
 * @param chunkSize           size of the chunks artifacts are distributed in, default 4 MiB
 * @param serveBytesPerSecond cap on the rate this node serves artifacts to peers; 0 (default) is unlimited
 * @param peerFetch           fetch artifacts from any holder (default); false fetches from the origin only
 * @param artifactGrace       how long an artifact no release references is kept before it is removed, default 1 h
 * @param loadPublishInterval how often each container's load (average calls in flight) is measured; it is written
 *                            to its registry record only when it changed by at least 0.02 and 10 %, so routers see
 *                            at most one update per container per interval; default 1 s
 * @param maxConcurrency      how many calls one container runs at once unless its deployment says otherwise; as
 *                            many again may wait, and past that a call is refused at once with {@code 503
 *                            OVERLOADED}; default 64
 * @param resyncInterval      how often the node compares every service's desired state with what it runs, which
 *                            is what retries a failed fetch or start without a new deployment; default 5 s
 * @param fetchStallTimeout   how long a fetch may go without a usable holder or any chunk arriving before it
 *                            fails (the next resync retries it); default 60 s
 * @param chunkTimeout        how long fetching one chunk from a peer may take, body included; a peer that stalls
 *                            past it is not asked again for that artifact; default 30 s
 * @param bodyTimeout         how long a call's body may take to arrive after its headers; a slower one is cut off
 *                            with {@code 408}; default 10 s
 * @param headerTimeout       how long a request's line and headers may take to arrive from their first byte, and a
 *                            new connection (its TLS handshake included) may go without beginning a request; the
 *                            connection of a slower one is closed; default 10 s
 * @param hostNames           names the node answers calls to besides its addresses, {@code localhost}, its
 *                            advertised address and the machine's name: a call whose {@code Host} is none of them is
 *                            refused with {@code 403} (a web page that rebinds its own name to the node's address
 *                            sends that name); default none
 * @param connectionsPerClient how many open connections one client address may hold; a new one past that is closed
 *                            at once, so one client never takes the connections health, admin and other callers
 *                            need; default 1,024 (a {@code VesselClient} opens at most 512 per node)
 * @param tls                 HTTPS instead of HTTP, for every client of the node and for its own fetches from
 *                            peers; every node of a cluster must use it or none; default none
 * @param quorum              run a member of the ZooKeeper quorum in this node: found a new quorum, or join the one
 *                            {@code zkConnect} reaches; needs the admin token (the quorum's super identity derives
 *                            from it); default none
 * @param secureRegistry      authenticate to ZooKeeper as the cluster's nodes and create every znode writable only by
 *                            them (readable by them and the reader identity); always so for a node that runs a quorum
 *                            member, whose quorum Vessel owns; needs the admin token; default false
 * @param registryTls         reach ZooKeeper over TLS, checking its certificate against this trust store; a node that
 *                            runs a quorum member with {@code tls} serves its member over TLS and reaches the quorum
 *                            so (with its own trust store) unless told otherwise; default none
 * @param storeCapacityBytes  most bytes the artifact store holds, complete and unfinished artifacts together; an
 *                            upload or fetch past it is refused with {@code 507 STORE_FULL}; default 16 GiB
 * @param readinessHeld       {@code /v1/health} answers {@code 503 STARTING} after the node started, until its owner
 *                            calls {@link VesselNode#markReady()}: for a launcher with more to do before anyone
 *                            should use the node (`vessel up` records the cluster and starts the demo first);
 *                            default false, ready as soon as started
 * @param localReleases       releases this node runs besides what the registry's desired state gives it, each at full
 *                            weight (`vessel node --release`); its reconciler starts them like any other (and tries
 *                            again after a failure), never writes them to the registry and never stops them; at most
 *                            one per service and version; default none
 * @param cpuIsolation        how the node keeps its containers' CPU use apart; default {@link CpuIsolationMode#AUTO}:
 *                            the kernel's control groups where the machine allows them, else admission by measured CPU
 * @param cpuReserve          cores kept for the node itself (HTTP, registry, reconciler, an embedded ZooKeeper): its
 *                            containers together use at most the machine's cores less this; default 0.25
 * @param registryWait        how long the node's start waits for its registry to be reachable ({@link Duration#ZERO}:
 *                            until it is); meanwhile it answers on its port, {@code 503} to everything, and starts
 *                            nothing, since what it should run is the registry's to say; default 15 s
 */
public record NodeConfig(
        String zkConnect,
        String registryRoot,
        Path dataDir,
        Optional<String> nodeId,
        String bindAddress,
        Optional<String> advertiseAddress,
        int port,
        int advertisePort,
        String zone,
        Map<String, String> labels,
        String systemPackagesExtra,
        Duration readyTimeout,
        Duration drainTimeout,
        long maxRequestBytes,
        Optional<String> adminToken,
        Duration drainDelay,
        long maxArtifactBytes,
        int chunkSize,
        long serveBytesPerSecond,
        boolean peerFetch,
        Duration artifactGrace,
        Duration loadPublishInterval,
        int maxConcurrency,
        Duration resyncInterval,
        Duration fetchStallTimeout,
        Duration chunkTimeout,
        Duration bodyTimeout,
        Duration headerTimeout,
        int connectionsPerClient,
        List<String> hostNames,
        Optional<Tls> tls,
        Optional<Quorum> quorum,
        boolean secureRegistry,
        Optional<RegistryTls> registryTls,
        long storeCapacityBytes,
        boolean readinessHeld,
        List<Release> localReleases,
        CpuIsolationMode cpuIsolation,
        double cpuReserve,
        Duration registryWait) {
    /** Open connections one client address may hold unless told otherwise. */
    public static final int DEFAULT_CONNECTIONS_PER_CLIENT = 1_024;


    /**
     * This node's ZooKeeper quorum member.
     *
     * @param found            start a new quorum with this member as its only voter (else join through zkConnect)
     * @param clientPort       ZooKeeper client port (0 picks a free one, as do the others)
     * @param voters           desired voters: 3 (default), or 5 for large fleets
     * @param stabilization    how long a member follows in sync before it becomes a voter (default 10 s)
     * @param removalThreshold how long a member may be unreachable before it is removed (default 30 s)
     */
    public record Quorum(boolean found, int clientPort, int peerPort, int electionPort, int voters,
            Duration stabilization, Duration removalThreshold) {
        public Quorum {
            if (voters != 1 && voters != 3 && voters != 5 && voters != 7) {
                throw new IllegalArgumentException("voters must be 1, 3, 5 or 7 (an odd number); got " + voters);
            }
            requirePositive(stabilization, "stabilization");
            requirePositive(removalThreshold, "removalThreshold");
        }

        public static Quorum founding() {
            return new Quorum(true, 0, 0, 0, 3, Duration.ofSeconds(10), Duration.ofSeconds(30));
        }

        public static Quorum joining() {
            return new Quorum(false, 0, 0, 0, 3, Duration.ofSeconds(10), Duration.ofSeconds(30));
        }
    }


    /**
     * The node's certificate and the certificates it trusts, as PKCS12 files. The key store holds the node's key
     * and a certificate whose subject alternative names cover the address it advertises; the trust store the
     * certificates (or the authority) of every node in the cluster, which it checks when it fetches from a peer.
     */
    public record Tls(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
        public Tls {
            requireNonNull(keyStore, "keyStore cannot be null");
            requireNonNull(keyStorePassword, "keyStorePassword cannot be null");
            requireNonNull(trustStore, "trustStore cannot be null");
            requireNonNull(trustStorePassword, "trustStorePassword cannot be null");
        }

        @Override
        public String toString() {
            return "Tls[keyStore=" + keyStore + ", trustStore=" + trustStore + "]"; // never the passwords
        }
    }


    public NodeConfig {
        requireNonNull(zkConnect, "zkConnect cannot be null");
        localReleases = List.copyOf(localReleases);
        if (localReleases.stream().map(Release::id).distinct().count() != localReleases.size()) {
            throw new IllegalArgumentException("local releases must differ in service or version; got "
                    + localReleases.stream().map(r -> r.id().toString()).toList());
        }
        RegistryLayout.at(registryRoot);
        requireNonNull(dataDir, "dataDir cannot be null");
        nodeId.ifPresent(id -> RegistryLayout.requireName(id, "node id"));
        requireNonNull(bindAddress, "bindAddress cannot be null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535 (0 picks a free port); got " + port);
        }
        if (advertisePort < 0 || advertisePort > 65535) {
            throw new IllegalArgumentException("advertisePort must be 0-65535 (0 advertises the port the node serves"
                    + " on); got " + advertisePort);
        }
        RegistryLayout.requireName(zone, "zone");
        labels = Map.copyOf(labels);
        requireNonNull(systemPackagesExtra, "systemPackagesExtra cannot be null");
        requirePositive(readyTimeout, "readyTimeout");
        requirePositive(drainTimeout, "drainTimeout");
        if (maxRequestBytes < 2) {
            throw new IllegalArgumentException("maxRequestBytes must be at least 2 (\"[]\"); got " + maxRequestBytes);
        }
        adminToken.ifPresent(token -> {
            if (token.length() < 16 || !token.matches("[\\x21-\\x7e]+")) {
                throw new IllegalArgumentException("the admin token must be at least 16 printable characters without"
                        + " spaces");
            }
        });
        requireNonNull(drainDelay, "drainDelay cannot be null");
        if (drainDelay.isNegative()) {
            throw new IllegalArgumentException("drainDelay cannot be negative; got " + drainDelay);
        }
        if (maxArtifactBytes < 1) {
            throw new IllegalArgumentException("maxArtifactBytes must be positive; got " + maxArtifactBytes);
        }
        if (chunkSize < 1024) {
            throw new IllegalArgumentException("chunkSize must be at least 1024 bytes; got " + chunkSize);
        }
        requireNonNull(artifactGrace, "artifactGrace cannot be null");
        requirePositive(loadPublishInterval, "loadPublishInterval");
        if (maxConcurrency < 1 || maxConcurrency > 10_000) {
            throw new IllegalArgumentException("maxConcurrency must be 1-10000; got " + maxConcurrency);
        }
        requireNonNull(cpuIsolation, "cpuIsolation cannot be null");
        requireNonNull(registryWait, "registryWait cannot be null");
        if (registryWait.isNegative()) {
            throw new IllegalArgumentException("registryWait cannot be negative (0 waits until the registry is"
                    + " reachable); got " + registryWait);
        }
        if (!(cpuReserve >= 0) || cpuReserve >= Runtime.getRuntime().availableProcessors()) {
            throw new IllegalArgumentException("cpuReserve must be 0 or more cores and less than the "
                    + Runtime.getRuntime().availableProcessors() + " this machine has; got " + cpuReserve);
        }
        requirePositive(resyncInterval, "resyncInterval");
        requirePositive(fetchStallTimeout, "fetchStallTimeout");
        requirePositive(chunkTimeout, "chunkTimeout");
        requirePositive(bodyTimeout, "bodyTimeout");
        requirePositive(headerTimeout, "headerTimeout");
        if (connectionsPerClient < 1) {
            throw new IllegalArgumentException("connectionsPerClient must be at least 1; got " + connectionsPerClient);
        }
        requireNonNull(tls, "tls cannot be null (Optional.empty() for plain HTTP)");
        requireNonNull(quorum, "quorum cannot be null (Optional.empty() for none)");
        requireNonNull(registryTls, "registryTls cannot be null (Optional.empty() for plain ZooKeeper sessions)");
        if (quorum.isPresent() && adminToken.isEmpty()) {
            throw new IllegalArgumentException("a node that runs a quorum member needs the admin token");
        }
        if (secureRegistry && adminToken.isEmpty()) {
            throw new IllegalArgumentException("a secured registry needs the admin token: the nodes' ZooKeeper"
                    + " identity derives from it");
        }
        if (storeCapacityBytes < maxArtifactBytes) {
            throw new IllegalArgumentException("storeCapacityBytes must hold at least one artifact of maxArtifactBytes ("
                    + maxArtifactBytes + "); got " + storeCapacityBytes);
        }
        if (serveBytesPerSecond < 0) {
            throw new IllegalArgumentException("serveBytesPerSecond must be >= 0 (0 = unlimited); got "
                    + serveBytesPerSecond);
        }
    }

    public static Builder builder(String zkConnect, Path dataDir) {
        return new Builder(zkConnect, dataDir);
    }

    private static void requirePositive(Duration value, String name) {
        requireNonNull(value, name + " cannot be null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive; got " + value);
        }
    }

    public static final class Builder {
        private final String zkConnect;
        private final Path dataDir;
        private String registryRoot = RegistryLayout.DEFAULT_ROOT;
        private String nodeId;
        private String bindAddress = "127.0.0.1";
        private String advertiseAddress;
        private int port = 7070;
        private int advertisePort;
        private String zone = "default";
        private final Map<String, String> labels = new LinkedHashMap<>();
        private String systemPackagesExtra = ContainerPlatform.systemPackages();
        private Duration readyTimeout = Duration.ofSeconds(10);
        private Duration drainTimeout = Duration.ofSeconds(5);
        private long maxRequestBytes = 1 << 20;
        private String adminToken;
        private Duration drainDelay = Duration.ofMillis(250);
        private long maxArtifactBytes = 256L << 20;
        private int chunkSize = 4 << 20;
        private long serveBytesPerSecond;
        private boolean peerFetch = true;
        private Duration artifactGrace = Duration.ofHours(1);
        private Duration loadPublishInterval = Duration.ofSeconds(1);
        private int maxConcurrency = 64;
        private Duration resyncInterval = Duration.ofSeconds(5);
        private Duration fetchStallTimeout = Duration.ofSeconds(60);
        private Duration chunkTimeout = Duration.ofSeconds(30);
        private Duration bodyTimeout = Duration.ofSeconds(10);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private int connectionsPerClient = DEFAULT_CONNECTIONS_PER_CLIENT;
        private final List<String> hostNames = new ArrayList<>();
        private Tls tls;
        private Quorum quorum;
        private boolean secureRegistry;
        private RegistryTls registryTls;
        private long storeCapacityBytes = 16L << 30;
        private boolean readinessHeld;
        private final List<Release> localReleases = new ArrayList<>();
        private CpuIsolationMode cpuIsolation = CpuIsolationMode.AUTO;
        private double cpuReserve = 0.25;
        private Duration registryWait = Duration.ofSeconds(15);

        private Builder(String zkConnect, Path dataDir) {
            this.zkConnect = zkConnect;
            this.dataDir = dataDir;
        }

        public Builder registryRoot(String root) {
            this.registryRoot = root;
            return this;
        }

        public Builder nodeId(String id) {
            this.nodeId = id;
            return this;
        }

        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        public Builder advertiseAddress(String address) {
            this.advertiseAddress = address;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder advertisePort(int port) {
            this.advertisePort = port;
            return this;
        }

        public Builder zone(String zone) {
            this.zone = zone;
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(requireNonNull(key, "label key cannot be null"), requireNonNull(value, "label value cannot be null"));
            return this;
        }

        public Builder systemPackagesExtra(String packages) {
            this.systemPackagesExtra = packages;
            return this;
        }

        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        public Builder maxRequestBytes(long bytes) {
            this.maxRequestBytes = bytes;
            return this;
        }

        public Builder adminToken(String token) {
            this.adminToken = token;
            return this;
        }

        public Builder drainDelay(Duration delay) {
            this.drainDelay = delay;
            return this;
        }

        public Builder maxArtifactBytes(long bytes) {
            this.maxArtifactBytes = bytes;
            return this;
        }

        public Builder chunkSize(int bytes) {
            this.chunkSize = bytes;
            return this;
        }

        public Builder serveBytesPerSecond(long rate) {
            this.serveBytesPerSecond = rate;
            return this;
        }

        public Builder peerFetch(boolean peers) {
            this.peerFetch = peers;
            return this;
        }

        public Builder artifactGrace(Duration grace) {
            this.artifactGrace = grace;
            return this;
        }

        public Builder loadPublishInterval(Duration interval) {
            this.loadPublishInterval = interval;
            return this;
        }

        public Builder maxConcurrency(int calls) {
            this.maxConcurrency = calls;
            return this;
        }

        public Builder resyncInterval(Duration interval) {
            this.resyncInterval = interval;
            return this;
        }

        public Builder fetchStallTimeout(Duration timeout) {
            this.fetchStallTimeout = timeout;
            return this;
        }

        public Builder chunkTimeout(Duration timeout) {
            this.chunkTimeout = timeout;
            return this;
        }

        public Builder bodyTimeout(Duration timeout) {
            this.bodyTimeout = timeout;
            return this;
        }

        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = timeout;
            return this;
        }

        public Builder connectionsPerClient(int connections) {
            this.connectionsPerClient = connections;
            return this;
        }

        /** A name the node answers calls to (see {@link NodeConfig#hostNames}); repeatable. */
        public Builder hostName(String name) {
            if (name == null || name.isBlank() || name.contains("/") || name.contains(" ")) {
                throw new IllegalArgumentException("a host name is a DNS name; got " + name);
            }
            hostNames.add(name);
            return this;
        }

        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        public Builder quorum(Quorum quorum) {
            this.quorum = quorum;
            return this;
        }

        public Builder secureRegistry(boolean secure) {
            this.secureRegistry = secure;
            return this;
        }

        public Builder registryTls(RegistryTls tls) {
            this.registryTls = tls;
            return this;
        }

        public Builder storeCapacityBytes(long bytes) {
            this.storeCapacityBytes = bytes;
            return this;
        }

        /** Runs {@code release} on this node besides the registry's desired state (see {@link #localReleases}). */
        public Builder localRelease(Release release) {
            localReleases.add(requireNonNull(release, "release cannot be null"));
            return this;
        }

        public Builder cpuIsolation(CpuIsolationMode mode) {
            this.cpuIsolation = mode;
            return this;
        }

        /** How long the start waits for the registry; {@link Duration#ZERO} waits until it is reachable. */
        public Builder registryWait(Duration wait) {
            this.registryWait = wait;
            return this;
        }

        public Builder cpuReserve(double cores) {
            this.cpuReserve = cores;
            return this;
        }

        public Builder readinessHeld(boolean held) {
            this.readinessHeld = held;
            return this;
        }

        public NodeConfig build() {
            return new NodeConfig(zkConnect, registryRoot, dataDir, Optional.ofNullable(nodeId), bindAddress,
                    Optional.ofNullable(advertiseAddress), port, advertisePort, zone, labels, systemPackagesExtra,
                    readyTimeout, drainTimeout, maxRequestBytes, Optional.ofNullable(adminToken), drainDelay, maxArtifactBytes,
                    chunkSize, serveBytesPerSecond, peerFetch, artifactGrace, loadPublishInterval, maxConcurrency,
                    resyncInterval, fetchStallTimeout, chunkTimeout, bodyTimeout, headerTimeout,
                    connectionsPerClient, List.copyOf(hostNames), Optional.ofNullable(tls), Optional.ofNullable(quorum), secureRegistry || quorum != null,
                    Optional.ofNullable(registryTls != null || quorum == null || tls == null ? registryTls
                            : new RegistryTls(tls.trustStore(), tls.trustStorePassword())),
                    storeCapacityBytes, readinessHeld, localReleases, cpuIsolation, cpuReserve, registryWait);
        }
    }
}
