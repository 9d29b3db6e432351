package dev.vessel.host.internal.reconcile;

import dev.vessel.host.ContainerId;
import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.ReleaseStore;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes this node run what the desired state says it should, level-triggered: every change of a deployment
 * starts a pass for its service, and so does a periodic resync of every service, which is what retries a fetch or
 * start that failed (with capped exponential backoff and jitter) without anyone deploying again. Each service has
 * its own {@link ServiceReconciler} on a thread of its own, so one service's slow fetch never delays another's
 * change. Nothing happens while the registry connection is down: an outage never starts or stops a container.
 */
public final class Reconciler implements Closeable {
    /** What the reconciler needs from its node. */
    public interface Node {
        NodeRecord self();

        /** Whether the registry session is connected now. */
        boolean registryConnected();

        /** A container this reconciler started has come to ACTIVE or FAILED after {@code nanos}. */
        void started(Container container, long nanos);

        /** A pass ended: "ok", "behind" (a step failed; retried with backoff) or "error" (it threw). */
        void reconciled(String outcome, long nanos);

        /** The container with this id, in whatever state, if the node has one. */
        Optional<Container> container(ContainerId id);

        /** A new PENDING container in place of an ended one (or none). */
        Container newContainer(ContainerId id);

        List<Container> containers(String service);

        /** Leaves the registry, drains and stops. */
        void retire(Container container);

        /** Bulkhead limits for a deployment's maxConcurrency (0: the node's default). */
        Bulkhead.Limits limits(int maxConcurrency);

        /** Something a status reader would want to see changed. */
        void changed();
    }

    /** How often every service is compared again, and how failed attempts back off. */
    public record Settings(Duration resyncInterval, Duration backoffBase, Duration backoffCap) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(15));
        }
    }

    private final Node node;
    private final ReleaseStore releases;
    private final ArtifactStore store;
    private final ArtifactFetcher fetcher;
    private final Settings settings;
    private final Backoff backoff;
    private final ScheduledExecutorService ticker;
    private final ConcurrentMap<String, ServiceReconciler> services = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public Reconciler(Node node, ReleaseStore releases, ArtifactStore store, ArtifactFetcher fetcher,
            Settings settings) {
        this.node = node;
        this.releases = releases;
        this.store = store;
        this.fetcher = fetcher;
        this.settings = settings;
        this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap());
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-resync-" + node.self().id());
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.resyncInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::resync, every, every, TimeUnit.MILLISECONDS);
    }

    /** Called with the complete desired state after every change. */
    public void desired(Map<String, Deployment> deployments) {
        if (closed.get()) {
            return;
        }
        for (Deployment deployment : deployments.values()) {
            services.computeIfAbsent(deployment.service(), service -> new ServiceReconciler(service, node, releases,
                    store, fetcher, backoff, this::retryAfter)).desire(deployment);
        }
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
