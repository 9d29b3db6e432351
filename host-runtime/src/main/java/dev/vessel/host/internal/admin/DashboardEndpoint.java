package dev.vessel.host.internal.admin;

import dev.vessel.host.QuorumStatus;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.http.NodeLoad;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.Deployment;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * share one view. The quorum is probed member by member ({@code srvr}, up to a second each when one is frozen),
 * so it is refreshed in the background and the view carries the latest reading instead of waiting for it.
 */
public final class DashboardEndpoint implements Closeable {
    static final Duration FRESH_FOR = Duration.ofMillis(500);
    private static final Duration QUORUM_FRESH_FOR = Duration.ofSeconds(2);
    /** How long the very first view waits for the quorum before it goes without. */
    private static final long FIRST_QUORUM_WAIT_MILLIS = 1_500;

    /** The registry and this node's parts the view is read from. */
    public interface Sources {
        String nodeId();

        /** The ZooKeeper connect string the node uses, for showing. */
        String zk();

        ClusterReader cluster();

        /** Every service's desired state, as the node's own deployment watch holds it. */
        Map<String, Deployment> deployments();

        QuorumStatus quorum() throws Exception;
    }

    private record QuorumReading(QuorumStatus status, String error, long at) {}

    private final Sources sources;
    private final PeerLoads loads;
    private final ExecutorService quorumProbe;
    private final Object lock = new Object();
    private byte[] latest;
    private long latestAt;
    private volatile QuorumReading quorum;
    private CompletableFuture<QuorumReading> quorumRefresh;

    public DashboardEndpoint(Sources sources, Supplier<NodeLoad> ownLoad, SSLContext tls) {
        this.sources = sources;
        this.loads = new PeerLoads(sources.nodeId(), ownLoad, tls);
        this.quorumProbe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vessel-dashboard-quorum-" + sources.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    void answer(String role, Response response, Callback callback) throws Exception {
        byte[] view = view();
        byte[] prefix = ("{\"role\":\"" + role + "\",\"view\":").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + view.length + 1];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(view, 0, body, prefix.length, view.length);
        body[body.length - 1] = '}';
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        JsonResponses.json(response, callback, 200, body);
    }

    /** The current view as JSON, read again only when the last one is older than {@link #FRESH_FOR}. */
    byte[] view() throws Exception {
        synchronized (lock) {
            long now = System.nanoTime();
            if (latest == null || now - latestAt > FRESH_FOR.toNanos()) {
                latest = JsonResponses.MAPPER.writeValueAsBytes(read());
                latestAt = System.nanoTime();
            }
            return latest;
        }
    }

    private DashboardView read() {
        QuorumReading quorumNow = quorum();
        ClusterReader.Snapshot cluster = sources.cluster().snapshot();
        Map<String, PeerLoads.Reading> nodeLoads = loads.read(cluster.nodes());
        return DashboardView.of(sources.nodeId(), sources.zk(), cluster.nodes(), cluster.statuses(),
                cluster.instances(),
                new LinkedHashMap<>(sources.deployments()), nodeLoads,
                quorumNow == null ? null : quorumNow.status(), quorumNow == null ? "not read yet" : quorumNow.error());
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
            return new QuorumReading(sources.quorum(), null, System.currentTimeMillis());
        } catch (Exception e) {
            return new QuorumReading(null, "could not read the quorum: " + e.getMessage(), System.currentTimeMillis());
        }
    }

    @Override
    public void close() {
        quorumProbe.shutdownNow();
    }
}
