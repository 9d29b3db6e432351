package dev.vessel.host.internal.reconcile;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.ContainerId;
import dev.vessel.host.Release;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Makes this node run what the desired state says it should, level-triggered: every change of a deployment
 * starts a pass for its service, and so does a periodic resync of every service, which is what retries a fetch or
 * start that failed (with capped exponential backoff and jitter) without anyone deploying again. Each service has
 * its own {@link ServiceReconciler} on a thread of its own, so one service's slow fetch never delays another's
 * change. Nothing happens while the registry connection is down: an outage never starts or stops a container.
 */
public final class Reconciler implements Closeable {
    /**
     * What a service's reconciler works with: the node it runs on, the table it starts containers in, where
     * releases come from, and who is told what it did.
     */
    record Context(NodeRecord self, BooleanSupplier registryConnected, ContainerTable containers,
            ReleaseSource releases, NodeMetrics metrics, Runnable changed, Backoff backoff) {}

    /** How often every service is compared again, and how failed attempts back off. */
    public record Settings(Duration resyncInterval, Duration backoffBase, Duration backoffCap) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(15));
        }
    }

    private final Context context;
    private final Settings settings;
    private final ScheduledExecutorService ticker;
    private final ConcurrentMap<String, ServiceReconciler> services = new ConcurrentHashMap<>();
    /** Releases the node runs besides the registry's desired state, by service then id. */
    private final Map<String, Map<ContainerId, Release>> local = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param self              this node's record, which deployments' node selectors are matched against
     * @param registryConnected whether the registry session is connected now: nothing starts or stops while not
     * @param changed           run after every pass, for the node's published status
     * @param localReleases     releases to run besides the desired state: started with the first desired state,
     *                          never stopped; where the desired state names the same version, it wins
     */
    public Reconciler(NodeRecord self, BooleanSupplier registryConnected, ContainerTable containers,
            ReleaseSource releases, NodeMetrics metrics, Runnable changed, List<Release> localReleases,
            Settings settings) {
        for (Release release : localReleases) {
            local.computeIfAbsent(release.service(), s -> new HashMap<>()).put(release.id(), release);
        }
        this.settings = requireNonNull(settings, "settings cannot be null");
        this.context = new Context(requireNonNull(self, "self cannot be null"),
                requireNonNull(registryConnected, "registryConnected cannot be null"),
                requireNonNull(containers, "containers cannot be null"),
                requireNonNull(releases, "releases cannot be null"),
                requireNonNull(metrics, "metrics cannot be null"), requireNonNull(changed, "changed cannot be null"),
                new Backoff(settings.backoffBase(), settings.backoffCap()));
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-resync-" + self.id());
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.resyncInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::resync, every, every, TimeUnit.MILLISECONDS);
    }

    /** Called with the complete desired state after every change (and once at first, however empty). */
    public void desired(Map<String, Deployment> deployments) {
        if (closed.get()) {
            return;
        }
        for (Deployment deployment : deployments.values()) {
            service(deployment.service()).desire(deployment);
        }
        for (String service : local.keySet()) {
            if (!deployments.containsKey(service)) {
                service(service).desire(Deployment.empty(service));
            }
        }
    }

    private ServiceReconciler service(String name) {
        return services.computeIfAbsent(name, service -> new ServiceReconciler(service, context,
                local.getOrDefault(service, Map.of()), this::retryAfter));
    }

    /** Runs a pass of every service now (what the periodic resync does). */
    public void resync() {
        services.values().forEach(ServiceReconciler::request);
    }

    private void retryAfter(ServiceReconciler service, Duration delay) {
        if (!closed.get()) {
            ticker.schedule(service::request, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Services this node has not brought to their desired state, and why. */
    public List<NodeStatus.Behind> behind() {
        List<NodeStatus.Behind> list = new ArrayList<>();
        for (ServiceReconciler service : services.values()) {
            service.behind().ifPresent(list::add);
        }
        list.sort((a, b) -> a.service().compareTo(b.service()));
        return list;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ticker.shutdownNow();
        services.values().forEach(ServiceReconciler::close);
    }
}
