package dev.vessel.host.internal.admin;

import dev.vessel.registry.Deployment;
import dev.vessel.registry.ReleaseSignature;
import dev.vessel.registry.TrustPolicy;
import dev.vessel.registry.TrustStore;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.host.QuorumStatus;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.http.NodeLoad;
import dev.vessel.registry.ClusterReader;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /v1/admin/dashboard}: the {@link DashboardView} the page at {@code /ui/} polls, with the role of the
 * token that asked ({@code admin} or {@code viewer}), so the page knows whether to offer its buttons.
 *
 * <p>However many pages poll, the registry is read at most once per {@link #FRESH_FOR}: concurrent requests
 * share one view. Without a registry session the last view is answered, marked {@code "registry":
 * "disconnected"}. The quorum is probed member by member ({@code srvr}, up to a second each when one is frozen),
 * so it is refreshed in the background and the view carries the latest reading instead of waiting for it.
 */
public final class DashboardEndpoint implements Closeable {
    static final Duration FRESH_FOR = Duration.ofMillis(500);
    private static final Duration QUORUM_FRESH_FOR = Duration.ofSeconds(2);
    /** How long the very first view waits for the quorum before it goes without. */
    private static final long FIRST_QUORUM_WAIT_MILLIS = 1_500;

    private record QuorumReading(QuorumStatus status, String error, long at) {}

    private final ClusterView cluster;
    private final TrustStore trust;
    private final PeerLoads loads;
    private final ExecutorService quorumProbe;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile byte[] latest;
    private volatile long latestAt;
    private volatile QuorumReading quorum;
    private CompletableFuture<QuorumReading> quorumRefresh;

    public DashboardEndpoint(ClusterView cluster, Supplier<NodeLoad> ownLoad, SSLContext tls, TrustStore trust) {
        this.cluster = cluster;
        this.trust = trust;
        this.loads = new PeerLoads(cluster.nodeId(), ownLoad, tls);
        this.quorumProbe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vessel-dashboard-quorum-" + cluster.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    void answer(String role, Response response, Callback callback) throws Exception {
        boolean connected = cluster.registryConnected();
        byte[] view = connected ? view() : lastView();
        byte[] prefix = ("{\"role\":\"" + role + "\",\"registry\":\"" + (connected ? "connected" : "disconnected")
                + "\",\"view\":").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + view.length + 1];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(view, 0, body, prefix.length, view.length);
        body[body.length - 1] = '}';
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        JsonResponses.json(response, callback, 200, body);
    }

    /**
     * The current view as JSON, read again only when the last one is older than {@link #FRESH_FOR}. While one
     * request reads it, the others get the last one rather than wait: a slow registry then holds one admin
     * thread, not one per open page.
     */
    byte[] view() throws Exception {
        byte[] last = latest;
        if (last != null && System.nanoTime() - latestAt <= FRESH_FOR.toNanos()) {
            return last;
        }
        if (!lock.tryLock()) {
            if (last != null) {
                return last;
            }
            lock.lock();
        }
        try {
            if (latest == null || System.nanoTime() - latestAt > FRESH_FOR.toNanos()) {
                latest = JsonResponses.MAPPER.writeValueAsBytes(read());
                latestAt = System.nanoTime();
            }
            return latest;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Without a registry session: the last view, which the page shows as of its time with a warning, or 503 when
     * there is none; never a read that would wait for the session.
     */
    private byte[] lastView() {
        byte[] last = latest;
        if (last == null) {
            throw new ApiError(ErrorCode.UNAVAILABLE, "this node has no ZooKeeper session and has shown no view yet;"
                    + " try again once it reconnects");
        }
        return last;
    }

    private DashboardView read() {
        QuorumReading quorumNow = quorum();
        ClusterReader.Snapshot snapshot = cluster.reader().snapshot();
        Map<String, PeerLoads.Reading> nodeLoads = loads.read(snapshot.nodes());
        Map<String, Deployment> deployments = new LinkedHashMap<>(cluster.deployments());
        return DashboardView.of(cluster.nodeId(), cluster.servers(), snapshot.nodes(), snapshot.statuses(),
                snapshot.instances(), deployments, signers(deployments.keySet()), nodeLoads, cluster.rollouts(),
                quorumNow == null ? null : quorumNow.status(), quorumNow == null ? "not read yet" : quorumNow.error());
    }

    /**
     * "service version" to the key that signed it, with what the trust policy makes of it when that is not simply
     * valid ("revoked", "not trusted", ...), for every signed version of {@code services}.
     */
    private Map<String, String> signers(java.util.Collection<String> services) {
        Map<String, String> signers = new java.util.HashMap<>();
        TrustPolicy policy = trust.policy();
        for (String service : services) {
            for (ReleaseSignature signature : trust.signatures(service)) {
                String state = policy.key(signature.keyId()).map(key -> key.valid() ? "" : " (revoked)")
                        .orElse(" (not trusted)");
                signers.put(service + " " + signature.version(), signature.keyId() + state);
            }
        }
        return signers;
    }

    /** The latest quorum reading; starts a refresh when it is stale, and waits only for the first one. */
    private QuorumReading quorum() {
        QuorumReading current = quorum;
        boolean stale = current == null
                || System.currentTimeMillis() - current.at() > QUORUM_FRESH_FOR.toMillis();
        if (stale && (quorumRefresh == null || quorumRefresh.isDone())) {
            quorumRefresh = CompletableFuture.supplyAsync(this::probeQuorum, quorumProbe)
                    .whenComplete((reading, failure) -> {
                        if (reading != null) {
                            quorum = reading;
                        }
                    });
        }
        if (current == null) {
            try {
                return quorumRefresh.get(FIRST_QUORUM_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception slow) {
                return null;
            }
        }
        return current;
    }

    private QuorumReading probeQuorum() {
        try {
            return new QuorumReading(cluster.quorum(), null, System.currentTimeMillis());
        } catch (Exception e) {
            return new QuorumReading(null, "could not read the quorum: " + e.getMessage(), System.currentTimeMillis());
        }
    }

    @Override
    public void close() {
        quorumProbe.shutdownNow();
    }
}
