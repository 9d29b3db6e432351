package dev.vessel.host.internal.artifact;

import dev.vessel.host.FetchReport;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.BundleRef;
import dev.vessel.registry.ChunkList;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.HolderState;
import dev.vessel.registry.NodeRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Gets an artifact this node lacks, chunk by chunk, from the nodes that hold it — peers that are themselves
 * still downloading included. Several chunks are fetched at once, rarest first, from holders in this node's zone
 * when they have them, never more than a few at a time from one peer; the origin (the node that took the upload)
 * is the source of last resort. Every chunk is verified on arrival: a peer that sends a bad one, stalls mid-chunk
 * or fails three times in a row is avoided for the rest of this artifact, and by every other download for
 * {@link #PENALTY} while another holder has what that download needs; the chunk is fetched elsewhere. A partial
 * download survives restarts and resumes.
 */
public final class ArtifactFetcher implements java.io.Closeable {
    /** Where chunks may come from. */
    public enum Mode {
        /** Any holder; the origin last. */
        PEERS,
        /** Only the origin: the baseline that peer-to-peer distribution is measured against. */
        ORIGIN_ONLY
    }

    /**
     * Knobs of the fetcher.
     *
     * @param chunkTimeout   how long one chunk may take, headers and body; a peer that stalls past it is avoided
     * @param originFallback how long a download may gain no chunk before it takes any chunk from the origin
     */
    public record Settings(Mode mode, int parallelChunks, int perPeerLimit, Duration chunkTimeout,
            Duration stallTimeout, Duration originFallback) {
        public static Settings defaults() {
            return new Settings(Mode.PEERS, 4, 2, Duration.ofSeconds(30), Duration.ofSeconds(120),
                    Duration.ofSeconds(10));
        }
    }

    private final ArtifactStore store;
    private final ArtifactHolders holders;
    private final ArtifactPresence presence;
    private final ClusterReader cluster;
    private final String selfId;
    private final String zone;
    /** The {@code Authorization} value to fetch with (an artifact read grant), or null for none. */
    private final Supplier<String> credential;
    private final Settings settings;
    private final Consumer<FetchReport> reports;
    /** How far one download has come: {@code have} of {@code chunks} chunks are in. */
    public record Progress(int have, int chunks) {}

    private final Map<String, Progress> active = new java.util.concurrent.ConcurrentHashMap<>();
    /** The download of each artifact being fetched: whoever else asks for it waits for that one. */
    private final Map<String, java.util.concurrent.CompletableFuture<Void>> downloads =
            new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Where chunks travel, for every download of this node: each download keeps at most
     * {@code parallelChunks} of its own in flight; idle threads end.
     */
    private final ExecutorService chunkWork;
    private final ChunkScheduler scheduler;
    /**
     * Peers one download had to avoid (a corrupt chunk, a stall, failures in a row), to the time until which
     * every other download skips them too, while some other holder has what it needs.
     */
    private final Map<String, Long> penalizedUntil = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Runnable onProgress = () -> { };
    private final java.util.concurrent.atomic.LongAdder bytesFetched = new java.util.concurrent.atomic.LongAdder();
    private final HttpClient http;
    /** Peers are fetched from over HTTPS (their certificates checked against the cluster's trust store). */
    private final boolean tls;

    public ArtifactFetcher(ArtifactStore store, ArtifactHolders holders, ArtifactPresence presence,
            ClusterReader cluster, String selfId, String zone, Supplier<String> credential, Settings settings,
            javax.net.ssl.SSLContext tls, Consumer<FetchReport> reports) {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        this.http = (tls == null ? client : client.sslContext(tls)).build();
        this.tls = tls != null;
        this.store = store;
        this.holders = holders;
        this.presence = presence;
        this.cluster = cluster;
        this.selfId = selfId;
        this.zone = zone;
        this.credential = credential;
        this.settings = settings;
        this.reports = reports;
        this.scheduler = new ChunkScheduler(settings, selfId, zone);
        this.chunkWork = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "vessel-fetch-" + selfId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Stops every chunk still travelling; downloads in progress then fail. */
    @Override
    public void close() {
        chunkWork.shutdownNow();
    }

    /** Bytes of verified chunks fetched from peers and the origin since the node started. */
    public long bytesFetched() {
        return bytesFetched.sum();
    }

    /** {@code listener} runs whenever a download in progress gains a chunk, starts or ends. */
    public void onProgress(Runnable listener) {
        this.onProgress = listener;
    }

    /** Downloads in progress, by digest. */
    public Map<String, Progress> active() {
        return new java.util.TreeMap<>(active);
    }

    /**
     * Makes sure the artifact is in the local store, complete and verified.
     *
     * @throws IOException if no holder can deliver it (the message says what was tried), or it does not verify
     */
    public void ensure(BundleRef artifact) throws IOException, InterruptedException {
        if (store.has(artifact.sha256())) {
            return;
        }
        if (artifact.chunks() == null) {
            throw new IOException(artifact.fileName() + " (" + artifact.sha256() + ") has no chunk list to fetch by");
        }
        java.util.concurrent.CompletableFuture<Void> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Void> running = downloads.putIfAbsent(artifact.sha256(), mine);
        if (running != null) {
            awaitOther(artifact, running);
            return;
        }
        try {
            if (!store.has(artifact.sha256())) { // another download of it may have ended just before this one began
                new Download(artifact).run();
            }
            mine.complete(null);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            downloads.remove(artifact.sha256(), mine);
            active.remove(artifact.sha256());
            onProgress.run();
        }
    }

    /** Waits for the download another caller runs; its failure is this caller's too. */
    private static void awaitOther(BundleRef artifact, java.util.concurrent.CompletableFuture<Void> running)
            throws IOException, InterruptedException {
        try {
            running.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException(cause instanceof InterruptedException
                    ? "the download of " + artifact.fileName() + " this fetch waited for was interrupted"
                    : String.valueOf(cause.getMessage()), cause);
        }
    }

    /** How long other downloads skip a peer that one download had to avoid. */
    static final Duration PENALTY = Duration.ofMinutes(5);

    private boolean penalized(String node, long now) {
        Long until = penalizedUntil.get(node);
        if (until == null) {
            return false;
        }
        if (until - now <= 0) {
            penalizedUntil.remove(node, until);
            return false;
        }
        return true;
    }

    private record Outcome(int chunk, ChunkScheduler.Source source, Exception failure) {}

    /** A chunk that did not arrive within the chunk timeout. */
    private static final class ChunkTimeout extends IOException {
        private static final long serialVersionUID = 1L;

        ChunkTimeout(String message) {
            super(message);
        }
    }

    /**
     * A holder's base URL from its node record, or null unless it is plainly {@code http(s)://host:port}: no
     * user info, path, query or fragment, so a forged record cannot point a fetch (and its credential) at some
     * other resource.
     */
    static URI peerUrl(String url) {
        try {
            URI uri = new URI(url);
            boolean plain = ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getRawUserInfo() == null && uri.getPort() > 0
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
            return plain ? uri : null;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** A peer that fails this often in a row is not asked again during this download. */
    private static final int MAX_FAILURES_PER_PEER = 3;

    /** Ends chunk bodies that overrun the chunk timeout; one daemon thread for every download of the process. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "vessel-fetch-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** One artifact's download: the scheduling state lives here, the chunks travel on the fetcher's pool. */
    private final class Download {
        private final BundleRef artifact;
        private final ChunkList chunks;
        private final Set<Integer> inFlight = new HashSet<>();
        /** Every chunk fetch this download started, to cancel those still running if it fails. */
        private final List<Future<Outcome>> submitted = new ArrayList<>();
        private final Map<String, Integer> perPeer = new HashMap<>();
        private final Set<String> avoided = new HashSet<>();
        private final Map<String, Long> backoffUntil = new HashMap<>();
        private final Map<String, Integer> fromNode = new HashMap<>();
        private final Map<String, Integer> rejected = new HashMap<>();
        /** Failures in a row per peer (answers other than the chunk, broken connections). */
        private final Map<String, Integer> failures = new HashMap<>();
        private int fromIncompletePeer;
        private long lastChunkAt = System.nanoTime();
        private ArtifactHolders.HolderWatch watch;
        private Map<String, NodeRecord> nodes;
        private long nodesReadAt;

        Download(BundleRef artifact) {
            this.artifact = artifact;
            this.chunks = artifact.chunks();
        }

        void run() throws IOException, InterruptedException {
            long started = System.nanoTime();
            ArtifactStore.Partial partial;
            try {
                partial = store.partial(artifact.sha256(), artifact.size(), chunks);
            } catch (ArtifactStore.Rejected | ArtifactStore.StoreWriteFailed e) {
                throw new IOException(selfId + ": " + e.getMessage(), e); // refused before a byte was fetched
            }
            int alreadyHad = partial.have().cardinality();
            presence.announcePartial(artifact.sha256(), partial);
            active.put(artifact.sha256(), new Progress(alreadyHad, chunks.count()));
            onProgress.run();
            ExecutorCompletionService<Outcome> done = new ExecutorCompletionService<>(chunkWork);
            long lastProgress = System.nanoTime();
            List<String> lastProblems = new ArrayList<>();
            watch = holders.watch(artifact.sha256());
            try {
                while (!partial.isComplete()) {
                    if (inFlight.size() < settings.parallelChunks()) {
                        schedule(partial, done, lastProblems);
                    }
                    Future<Outcome> next = done.poll(250, TimeUnit.MILLISECONDS); // also the pace of noticing new holders
                    if (next != null) {
                        if (settle(outcome(next), partial, lastProblems)) {
                            lastProgress = System.nanoTime();
                        }
                    } else if (inFlight.isEmpty()
                            && System.nanoTime() - lastProgress > settings.stallTimeout().toNanos()) {
                        throw new IOException("artifact " + artifact.fileName() + " (" + artifact.sha256() + ") stalled"
                                + " with " + partial.missing().size() + " of " + chunks.count() + " chunks missing: "
                                + (lastProblems.isEmpty() ? "no reachable node holds them" : String.join("; ",
                                        lastProblems)));
                    }
                }
                // the last chunks complete the file before their outcomes are settled: account for them too
                while (!inFlight.isEmpty()) {
                    settle(outcome(done.take()), partial, lastProblems);
                }
            } catch (ArtifactStore.StoreWriteFailed ownDisk) {
                // this node's disk, not a peer: give up at once, and leave nothing of it behind to fill the disk
                presence.withdraw(artifact.sha256());
                submitted.forEach(chunk -> chunk.cancel(true));
                store.delete(artifact.sha256());
                throw new IOException(selfId + ": " + ownDisk.getMessage(), ownDisk);
            } finally {
                submitted.forEach(chunk -> chunk.cancel(true)); // chunks still travelling when the download failed
                watch.close();
            }
            try {
                partial.finish();
            } catch (ArtifactStore.Rejected e) {
                presence.withdraw(artifact.sha256());
                throw new IOException(e.getMessage(), e);
            }
            presence.announceComplete(artifact.sha256());
            reports.accept(new FetchReport(artifact.sha256(), chunks.count(), alreadyHad, fromNode, fromIncompletePeer,
                    rejected, (System.nanoTime() - started) / 1_000_000));
        }

        private Outcome outcome(Future<Outcome> future) throws InterruptedException, IOException {
            try {
                return future.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("chunk fetch failed unexpectedly: " + e.getCause(), e.getCause());
            }
        }

        private void schedule(ArtifactStore.Partial partial, ExecutorCompletionService<Outcome> done,
                List<String> problems) {
            Map<String, HolderState> states = watch.states();
            if (nodes == null || System.nanoTime() - nodesReadAt > TimeUnit.SECONDS.toNanos(5)
                    || !nodes.keySet().containsAll(states.keySet())) {
                nodes = cluster.nodes().stream().collect(Collectors.toMap(NodeRecord::id, Function.identity()));
                nodesReadAt = System.nanoTime();
            }
            long now = System.nanoTime();
            Map<String, HolderState> usable = new HashMap<>();
            states.forEach((node, state) -> {
                if (!node.equals(selfId) && nodes.containsKey(node) && !avoided.contains(node)
                        && backoffUntil.getOrDefault(node, 0L) <= now) {
                    usable.put(node, state);
                }
            });
            if (usable.keySet().stream().anyMatch(node -> !penalized(node, now))) {
                usable.keySet().removeIf(node -> penalized(node, now));
            }
            List<Integer> missing = new ArrayList<>(partial.missing());
            missing.removeAll(inFlight);
            Map<String, URI> urls = new HashMap<>();
            usable.keySet().forEach(node -> urls.put(node, peerUrl(nodes.get(node).url(tls))));
            boolean stalled = System.nanoTime() - lastChunkAt > settings.originFallback().toNanos();
            for (ChunkScheduler.Assignment next : scheduler.plan(states, usable, urls, missing, perPeer,
                    settings.parallelChunks() - inFlight.size(), stalled, ThreadLocalRandom.current())) {
                inFlight.add(next.chunk());
                perPeer.merge(next.source().node(), 1, Integer::sum);
                submitted.add(done.submit(() -> fetchChunk(partial, next.chunk(), next.source())));
            }
            if (inFlight.isEmpty() && !missing.isEmpty() && problems.isEmpty()) {
                problems.add("no usable holder: " + (states.isEmpty() ? "none announced" : "announced " + states.keySet()
                        + ", avoided " + avoided));
            }
        }

        /**
         * Streams one chunk from {@code source} into place. The whole exchange, body included, must end within the
         * chunk timeout: a watchdog closes the body of a peer that sends headers and then stalls.
         */
        private Outcome fetchChunk(ArtifactStore.Partial partial, int chunk, ChunkScheduler.Source source) {
            long offset = chunks.offset(chunk);
            int length = chunks.length(chunk, artifact.size());
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            source.url().resolve("/v1/admin/artifacts/" + artifact.sha256()))
                    .header("Range", "bytes=" + offset + "-" + (offset + length - 1))
                    .timeout(settings.chunkTimeout());
            String authorization = credential.get();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            AtomicBoolean timedOut = new AtomicBoolean();
            AtomicReference<InputStream> body = new AtomicReference<>();
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                timedOut.set(true);
                InputStream open = body.get();
                if (open != null) {
                    try {
                        open.close();
                    } catch (IOException ignored) {
                        // closing is all that is wanted
                    }
                }
            }, settings.chunkTimeout().toMillis(), TimeUnit.MILLISECONDS);
            try {
                HttpResponse<InputStream> response = http.send(request.build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    body.set(in);
                    if (timedOut.get()) {
                        throw new IOException("stalled");
                    }
                    if (response.statusCode() != 206 && response.statusCode() != 200) {
                        return new Outcome(chunk, source, new IOException("HTTP " + response.statusCode()));
                    }
                    if (response.statusCode() == 200) { // the whole artifact: skip to the chunk, take only it
                        in.skipNBytes(offset);
                        partial.write(chunk, new ByteArrayInputStream(in.readNBytes(length)));
                    } else {
                        partial.write(chunk, in);
                    }
                }
                return new Outcome(chunk, source, null);
            } catch (ArtifactStore.Rejected e) {
                return new Outcome(chunk, source, e);
            } catch (Exception e) {
                return new Outcome(chunk, source, timedOut.get() ? new ChunkTimeout("chunk " + chunk + " did not"
                        + " arrive within " + settings.chunkTimeout().toMillis() + " ms") : e);
            } finally {
                watchdog.cancel(false);
            }
        }

        /** @return whether the chunk arrived */
        private boolean settle(Outcome outcome, ArtifactStore.Partial partial, List<String> problems)
                throws ArtifactStore.StoreWriteFailed {
            inFlight.remove(outcome.chunk());
            perPeer.merge(outcome.source().node(), -1, Integer::sum);
            if (outcome.failure() == null) {
                failures.remove(outcome.source().node());
                fromNode.merge(outcome.source().node(), 1, Integer::sum);
                bytesFetched.add(chunks.length(outcome.chunk(), artifact.size()));
                lastChunkAt = System.nanoTime();
                if (!outcome.source().complete()) {
                    fromIncompletePeer++;
                }
                presence.announcePartial(artifact.sha256(), partial);
                active.put(artifact.sha256(), new Progress(partial.have().cardinality(), chunks.count()));
                onProgress.run();
                problems.clear();
                return true;
            }
            String node = outcome.source().node();
            int avoidedBefore = avoided.size();
            try {
                return recordFailure(outcome, node, problems);
            } finally {
                if (avoided.size() > avoidedBefore) {
                    penalizedUntil.put(node, System.nanoTime() + PENALTY.toNanos());
                }
            }
        }

        private boolean recordFailure(Outcome outcome, String node, List<String> problems)
                throws ArtifactStore.StoreWriteFailed {
            if (outcome.failure() instanceof ArtifactStore.StoreWriteFailed ownDisk) {
                throw ownDisk; // the peer sent what it should: nothing is held against it
            }
            if (outcome.failure() instanceof ArtifactStore.Rejected) {
                rejected.merge(node, 1, Integer::sum);
                avoided.add(node); // it sent bytes that are not the chunk: never again for this artifact
                problems.add(node + " sent a corrupt chunk " + outcome.chunk() + " and is avoided");
            } else if (outcome.failure() instanceof ChunkTimeout) {
                avoided.add(node); // a peer that stalls mid-chunk cost one chunk timeout; it does not get another
                problems.add(node + " stalled (" + outcome.failure().getMessage() + ") and is avoided");
            } else if (failures.merge(node, 1, Integer::sum) >= MAX_FAILURES_PER_PEER) {
                avoided.add(node);
                problems.add(node + " failed " + MAX_FAILURES_PER_PEER + " times (last: " + outcome.failure()
                        + ") and is avoided");
            } else {
                backoffUntil.put(node, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
                problems.add(node + ": " + outcome.failure());
            }
            return false;
        }
    }
}
