package dev.vessel.host.internal.reconcile;

import dev.vessel.host.internal.cpu.CpuRequest;
import dev.vessel.host.ContainerId;
import dev.vessel.host.InvalidReleaseException;
import dev.vessel.host.Release;
import dev.vessel.host.internal.container.Container;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.ReleaseManifest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one service on this node to its desired state, one pass at a time on a thread of its own. A request
 * that arrives during a pass queues exactly one more pass, which reads the newest desired state: never a queue
 * of stale ones. It starts before it stops (a replacement serves before what it replaces goes) and stops only
 * containers it started. A pass that could not start something records why and asks to be run again after a
 * backoff; a new deployment revision resets the backoff.
 */
final class ServiceReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceReconciler.class);
    /** How a local release runs: full weight, the node's default concurrency. */
    private static final DeployedVersion LOCAL = new DeployedVersion("0", 100, DeployedVersion.ALL_NODES);

    /** Name of a pass's thread: this prefix, the node's id, "-", the service. */
    static final String THREAD_PREFIX = "vessel-reconcile-";
    /**
     * How long a service's thread outlives its last pass: short, since the periodic resync gives every service a
     * pass every few seconds, and a thread kept a second after each was there a fifth of the time.
     */
    static final Duration IDLE = Duration.ofMillis(200);

    private final String service;
    private final Reconciler.Context context;
    /** Releases given to the node itself: wanted whatever the desired state says, started as they are. */
    private final Map<ContainerId, Release> local;
    private final BiConsumer<ServiceReconciler, Duration> retryAfter;
    /**
     * One pass at a time, on a thread that exists only while there is work: a node with many idle services keeps no
     * thread per service (a pass every resync interval takes milliseconds).
     */
    private final ExecutorService worker;
    private final AtomicBoolean queued = new AtomicBoolean();
    /** Containers this reconciler started: the only ones it ever stops. Only passes, one at a time, touch it. */
    private final Set<ContainerId> managed = new HashSet<>();

    private volatile Deployment desired;
    // written by the worker thread only; read for status
    private volatile long revisionSeen = -1;
    private volatile int failures;
    private volatile String lastError;
    private volatile long nextRetryNanos;

    ServiceReconciler(String service, Reconciler.Context context, Map<ContainerId, Release> local,
            BiConsumer<ServiceReconciler, Duration> retryAfter) {
        this.service = service;
        this.context = context;
        this.local = Map.copyOf(local);
        this.retryAfter = retryAfter;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, IDLE.toMillis(), TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, THREAD_PREFIX + context.self().id() + "-" + service);
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.worker = pool;
    }

    void desire(Deployment deployment) {
        desired = deployment;
        request();
    }

    /** Queues a pass unless one is already queued. */
    void request() {
        if (desired != null && queued.compareAndSet(false, true)) {
            try {
                worker.execute(this::pass);
            } catch (RuntimeException closed) {
                queued.set(false);
            }
        }
    }

    private void pass() {
        queued.set(false);
        Deployment deployment = desired;
        if (deployment == null || !context.registryConnected().getAsBoolean()) {
            return; // an outage never starts or stops anything; the resync after it does the work
        }
        if (deployment.revision() != revisionSeen) {
            revisionSeen = deployment.revision();
            failures = 0; // a new intent: try at once
        } else if (failures > 0 && System.nanoTime() - nextRetryNanos < 0) {
            return; // backing off after a failure; the retry scheduled for then runs the pass
        }
        long started = System.nanoTime();
        String outcome = "error";
        try {
            String failure = reconcile(deployment);
            outcome = failure == null ? "ok" : "behind";
            if (failure == null) {
                failures = 0;
                lastError = null;
            } else {
                failures++;
                lastError = failure;
                Duration delay = context.backoff().delay(failures);
                nextRetryNanos = System.nanoTime() + delay.toNanos();
                LOG.warn("node {}: {} not at revision {} yet (attempt {}): {}; retrying in {} ms", context.self().id(),
                        service, deployment.revision(), failures, failure, delay.toMillis());
                retryAfter.accept(this, delay);
            }
        } catch (RuntimeException e) {
            LOG.warn("reconciling {} failed; the next pass retries", service, e);
        } finally {
            context.metrics().reconciled(outcome, System.nanoTime() - started);
            context.changed().run();
        }
    }

    /** One pass; returns null when the node matches the deployment, else why not. */
    private String reconcile(Deployment deployment) {
        NodeRecord self = context.self();
        Map<ContainerId, DeployedVersion> wanted = new HashMap<>();
        for (DeployedVersion version : deployment.versions()) {
            if (version.selects(self)) {
                wanted.put(ContainerId.of(service, version.version()), version);
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<ContainerId, DeployedVersion> entry : wanted.entrySet()) {
            addProblem(problems, bringUp(entry.getKey(), entry.getValue(), null));
        }
        for (Release release : local.values()) {
            if (!wanted.containsKey(release.id())) { // the desired state wins where it names the version
                addProblem(problems, bringUp(release.id(), LOCAL, release));
            }
        }
        for (Container container : context.containers().of(service)) {
            if (!wanted.containsKey(container.id()) && !local.containsKey(container.id())
                    && managed.contains(container.id()) && !container.state().isTerminal()) {
                if (deployment.withdrawn().contains(container.id().version().toString())) {
                    LOG.info("node {}: withdrawing {} at once", self.id(), container.id());
                    context.containers().withdraw(container);
                } else {
                    LOG.info("node {}: retiring {}", self.id(), container.id());
                    context.containers().retire(container);
                }
                managed.remove(container.id());
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static void addProblem(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    /**
     * Makes {@code id} run as {@code version} asks; null when it does, else why not.
     *
     * @param localRelease the release itself when the node was given it, else null: it is read from the registry
     */
    private String bringUp(ContainerId id, DeployedVersion version, Release localRelease) {
        Optional<Container> existing = context.containers().get(id);
        if (existing.isPresent()) {
            Container container = existing.get();
            InstanceState state = container.state();
            if (state == InstanceState.ACTIVE) {
                container.update(version.weight(), context.containers().limits(version.maxConcurrency()),
                        cpu(version));
                return null;
            }
            if (!state.isTerminal()) {
                return null; // starting or draining: the pass after it ends decides
            }
        }
        return start(id, version, localRelease);
    }

    private String start(ContainerId id, DeployedVersion version, Release localRelease) {
        Optional<ReleaseManifest> manifest = localRelease != null ? Optional.empty()
                : context.releases().manifest(service, version.version());
        if (localRelease == null && manifest.isEmpty()) {
            return "the deployment names " + id + " but no such release exists";
        }
        Container container;
        try {
            container = context.containers().create(id);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        managed.add(id);
        Release release = localRelease;
        if (release == null) {
            container.beginFetch();
            try {
                release = context.releases().fetch(manifest.get());
            } catch (IOException | InvalidReleaseException | IllegalArgumentException e) {
                container.failBeforeStart("could not fetch or read the release: " + e.getMessage());
                return id + " FAILED: " + container.error();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                container.failBeforeStart("interrupted while fetching");
                return id + ": interrupted";
            }
        }
        long started = System.nanoTime();
        container.start(release, version.weight(), context.containers().limits(version.maxConcurrency()),
                cpu(version));
        long took = System.nanoTime() - started;
        boolean active = container.state() == InstanceState.ACTIVE;
        context.metrics().containerStarted(active, took);
        if (active) {
            LOG.info("node {}: {} ACTIVE, started in {} ms", context.self().id(), id, took / 1_000_000);
        }
        return container.state() == InstanceState.FAILED ? id + " FAILED: " + container.error() : null;
    }

    private static CpuRequest cpu(DeployedVersion version) {
        return new CpuRequest(version.cpu(), version.cpuLimit());
    }

    /** Why this service is behind on this node, if it is. */
    Optional<NodeStatus.Behind> behind() {
        String error = lastError;
        Deployment deployment = desired;
        if (error == null || deployment == null) {
            return Optional.empty();
        }
        long nextRetry = System.currentTimeMillis() + (nextRetryNanos - System.nanoTime()) / 1_000_000;
        return Optional.of(new NodeStatus.Behind(service, deployment.revision(), error, failures, nextRetry));
    }

    void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
