package dev.vessel.host.internal.admin;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.QuorumStatus;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.registry.ClusterOverview;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentWatch;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.RegistryConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster as this node's registry session reads it, for the admin API's read endpoints and the dashboard:
 * one {@link ClusterReader}, the desired state as the node's own deployment watch holds it, and the ZooKeeper
 * address to show. It also says whether the registry can be used now: every admin request that reads or writes
 * the registry asks {@link #requireRegistry()} first, so that in an outage it fails in seconds with a reason
 * instead of after Curator's retries.
 */
public final class ClusterView {
    /**
     * How long a request waits for a session that is reconnecting (moving to another server) before it gives up:
     * below the CLI's 2 s for a read from a node, so the CLI gets this node's answer and not a timeout.
     */
    static final Duration RECONNECT_WAIT = Duration.ofSeconds(1);

    private final RegistryConnection registry;
    private final ClusterReader reader;
    private final String nodeId;
    private final String registryRoot;
    private final String configuredServers;
    private final boolean followsEnsemble;
    private volatile DeploymentWatch deployments;
    /** Epoch milliseconds since which the session has not been connected; 0 while it is. */
    private final AtomicLong unavailableSince = new AtomicLong();

    /**
     * @param configuredServers the ZooKeeper connect string the node was given (or its quorum's, when it runs one)
     * @param followsEnsemble   whether the node runs a quorum member, so members come and go: then the servers
     *                          shown are the ensemble's current ones, as Curator tracks them
     */
    public ClusterView(RegistryConnection registry, String nodeId, String registryRoot, String configuredServers,
            boolean followsEnsemble) {
        this.registry = requireNonNull(registry, "registry cannot be null");
        this.reader = new ClusterReader(registry);
        this.nodeId = requireNonNull(nodeId, "nodeId cannot be null");
        this.registryRoot = requireNonNull(registryRoot, "registryRoot cannot be null");
        this.configuredServers = configuredServers;
        this.followsEnsemble = followsEnsemble;
        registry.curator().getConnectionStateListenable().addListener((client, state) -> {
            if (state.isConnected()) {
                unavailableSince.set(0);
            } else {
                unavailableSince.compareAndSet(0, System.currentTimeMillis());
            }
        });
        if (!registry.connected()) {
            unavailableSince.compareAndSet(0, System.currentTimeMillis());
        }
    }

    /** From now on {@link #deployments} reads what this watch holds (before, it is empty). */
    public void follow(DeploymentWatch watch) {
        this.deployments = watch;
    }

    public String nodeId() {
        return nodeId;
    }

    public ClusterReader reader() {
        return reader;
    }

    /** The ZooKeeper connect string the node uses, for showing. */
    public String servers() {
        if (!followsEnsemble) {
            return configuredServers;
        }
        String current = registry.curator().getZookeeperClient().getCurrentConnectionString();
        return current == null || current.isBlank() ? configuredServers : current;
    }

    public boolean registryConnected() {
        return registry.connected();
    }

    /**
     * Returns once the registry session is connected, waiting up to {@link #RECONNECT_WAIT} for one that is
     * reconnecting.
     *
     * @throws ApiError {@code 503 REGISTRY_UNAVAILABLE} naming the servers and since when, if it is not back by then
     */
    public void requireRegistry() {
        long deadline = System.nanoTime() + RECONNECT_WAIT.toNanos();
        try {
            while (!registry.connected()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !registry.curator().blockUntilConnected((int) Math.max(1, left / 1_000_000),
                        TimeUnit.MILLISECONDS)) {
                    break;
                }
                // Curator reports states after the connection changed: it can still say connected while the
                // connection itself is down, so the connection is what is asked again
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (registry.connected()) {
            return;
        }
        throw new ApiError(ErrorCode.REGISTRY_UNAVAILABLE, "registry unavailable: " + nodeId + " has no ZooKeeper"
                + " session (" + unreachable() + "); nothing was read or changed, and the containers keep serving as"
                + " they were. Try again once it is back");
    }

    /**
     * What a request that failed on the registry answers: {@code 503 REGISTRY_UNAVAILABLE} when the session went
     * away while it ran (a change it asked for may or may not have been written), else the failure itself.
     */
    public RuntimeException lostDuring(RuntimeException failure) {
        if (registry.connected()) {
            return failure;
        }
        return new ApiError(ErrorCode.REGISTRY_UNAVAILABLE, "registry unavailable: " + nodeId + " lost its"
                + " ZooKeeper session while answering (" + unreachable() + "); a change this request asked for may"
                + " or may not have been made (vessel history shows which once the registry is back), and the"
                + " containers keep serving as they were");
    }

    private String unreachable() {
        long since = unavailableSince.get();
        return servers() + (since == 0 ? "" : " unreachable since " + Instant.ofEpochMilli(since) + ", "
                + Duration.ofMillis(System.currentTimeMillis() - since).toSeconds() + " s ago");
    }

    /** Every node and container ({@code vessel status}). */
    public ClusterOverview overview() {
        return ClusterOverview.read(reader, servers());
    }

    /** The service's registered instances ({@code vessel call} routes with them). */
    public List<InstanceRecord> instances(String service) {
        return reader.instances(service);
    }

    /** How far the cluster is from {@code target}, one revision of a service's desired state. */
    public Convergence convergence(Deployment target) {
        return Convergence.of(reader, target);
    }

    /** Every service's desired state, as the node's own deployment watch holds it. */
    /** Every service's rollout under a rule: the one running, else its last one. */
    public List<dev.vessel.registry.RolloutRecord> rollouts() {
        dev.vessel.registry.RolloutStore store = new dev.vessel.registry.RolloutStore(registry);
        List<dev.vessel.registry.RolloutRecord> rollouts = new java.util.ArrayList<>();
        for (String service : store.services()) {
            store.read(service).ifPresent(stored -> rollouts.add(stored.record()));
        }
        return rollouts;
    }

    public Map<String, Deployment> deployments() {
        DeploymentWatch watch = deployments;
        return watch == null ? Map.of() : watch.current();
    }

    public QuorumStatus quorum() throws Exception {
        return QuorumStatus.read(registry.curator(), registryRoot);
    }
}
