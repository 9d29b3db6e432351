package dev.vessel.host.internal.artifact;

import dev.vessel.host.FetchReport;
import dev.vessel.host.NodeConfig;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's artifacts, from arrival to removal: the content-addressed store, the node's presence as a holder in the
 * registry, the fetcher that brings missing artifacts from peers, the collector that removes unreferenced ones,
 * and the counts of what was fetched and served. The admin API serves artifacts out of it; the reconciler and the
 * release validator ask its fetcher for what they lack.
 */
public final class ArtifactDistribution implements Closeable {
    /** Artifacts being uploaded or fetched at once. */
    private static final int MAX_UNFINISHED_ARTIFACTS = 32;
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactDistribution.class);

    /**
     * @param peerTls    the cluster's trust for fetching from peers over HTTPS; null when nodes serve plain HTTP
     * @param credential what a fetch presents to a peer (a short-lived grant), null on an open cluster
     */
    public record Settings(Path dir, ArtifactStore.Limits limits, String zone, ArtifactFetcher.Settings fetch,
            Duration grace, long serveBytesPerSecond, SSLContext peerTls, Supplier<String> credential) {
        /** Where a node keeps its artifacts: files named by their digest, never changed once complete. */
        public static Path storeDirectory(NodeConfig config) {
            return config.dataDir().resolve("artifacts");
        }

        /** The node's configuration, as the artifact parts read it. */
        public static Settings of(NodeConfig config, SSLContext peerTls, Supplier<String> credential) {
            ArtifactFetcher.Settings defaults = ArtifactFetcher.Settings.defaults();
            ArtifactFetcher.Settings fetch = new ArtifactFetcher.Settings(config.peerFetch() ? defaults.mode()
                    : ArtifactFetcher.Mode.ORIGIN_ONLY, defaults.parallelChunks(), defaults.perPeerLimit(),
                    config.chunkTimeout(), config.fetchStallTimeout(), defaults.originFallback());
            return new Settings(storeDirectory(config), new ArtifactStore.Limits(
                    config.maxArtifactBytes(), config.chunkSize(), config.storeCapacityBytes(),
                    MAX_UNFINISHED_ARTIFACTS), config.zone(), fetch, config.artifactGrace(),
                    config.serveBytesPerSecond(), peerTls, credential);
        }
    }

    private final String nodeId;
    private final ArtifactStore store;
    private final ArtifactHolders holders;
    private final ArtifactPresence presence;
    private final ArtifactFetcher fetcher;
    private final ArtifactCollector collector;
    private final FetchLog fetchLog;
    private final TokenBucket serveRate;
    private final LongAdder bytesServed = new LongAdder();
    private final Duration grace;

    private ArtifactDistribution(String nodeId, ArtifactStore store, ArtifactHolders holders,
            ArtifactPresence presence, ArtifactFetcher fetcher, ArtifactCollector collector, FetchLog fetchLog,
            Settings settings) {
        this.nodeId = nodeId;
        this.store = store;
        this.holders = holders;
        this.presence = presence;
        this.fetcher = fetcher;
        this.collector = collector;
        this.fetchLog = fetchLog;
        this.serveRate = new TokenBucket(settings.serveBytesPerSecond());
        this.grace = settings.grace();
    }

    /** Opens the store (repairing what a crash left) and the node's holder records; nothing is announced yet. */
    public static ArtifactDistribution open(RegistryConnection registry, ReleaseStore releases, String nodeId,
            Settings settings) {
        ArtifactStore store = new ArtifactStore(settings.dir(), settings.limits());
        store.repairs().forEach(repair -> LOG.warn("node {}: artifact store repaired at start: {}", nodeId, repair));
        ArtifactHolders holders = new ArtifactHolders(registry, nodeId);
        ArtifactPresence presence = new ArtifactPresence(store, holders, settings.zone());
        FetchLog fetchLog = new FetchLog(nodeId);
        Supplier<String> credential = settings.credential() == null ? () -> null : settings.credential();
        ArtifactFetcher fetcher = new ArtifactFetcher(store, holders, presence, new ClusterReader(registry), nodeId,
                settings.zone(), credential, settings.fetch(), settings.peerTls(), fetchLog);
        ArtifactCollector collector = new ArtifactCollector(store, presence, releases, settings.grace());
        return new ArtifactDistribution(nodeId, store, holders, presence, fetcher, collector, fetchLog, settings);
    }

    /**
     * Offers every stored artifact again (after a restart the local store is offered, never downloaded again) and
     * collects garbage every quarter of the grace period, at least every minute, on {@code housekeeping}.
     */
    public void start(ScheduledExecutorService housekeeping) {
        presence.announceAll();
        long every = Math.max(60_000, grace.toMillis() / 4);
        housekeeping.scheduleWithFixedDelay(this::collectQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    public ArtifactStore store() {
        return store;
    }

    public ArtifactPresence presence() {
        return presence;
    }

    public ArtifactFetcher fetcher() {
        return fetcher;
    }

    /** How fast artifacts are served to peers and readers, all of them together. */
    public TokenBucket serveRate() {
        return serveRate;
    }

    /** Bytes of artifacts served to peers and uploaders' readers; the admin API adds to it. */
    public LongAdder bytesServed() {
        return bytesServed;
    }

    /** How the artifacts this node lacked reached it, most recent last. */
    public List<FetchReport> fetchReports() {
        return fetchLog.recent();
    }

    /** One garbage collection pass; returns the digests removed. */
    public List<String> collect() throws IOException {
        return collector.collect();
    }

    private void collectQuietly() {
        try {
            collector.collect();
        } catch (IOException | RuntimeException e) {
            LOG.warn("node {}: artifact garbage collection failed; next pass retries", nodeId, e);
        }
    }

    /** Stops every chunk still travelling, then withdraws this node's holder announcements. */
    @Override
    public void close() {
        try {
            fetcher.close();
        } finally {
            holders.close();
        }
    }
}
