package dev.vessel.host.internal.container;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.ContainerId;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.host.internal.cpu.CpuIsolation;
import dev.vessel.registry.ContainerCpu;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceState;
import java.io.Closeable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every container of a node, and everything done to all of them at once. The reconciler creates and retires
 * containers here (the only way one starts); the data plane, health, metrics and the dashboard read it. A
 * container that ended stays in the table as a record until a new one takes its id, so a late call gets
 * {@code 503} rather than {@code 404} and status can show why it failed.
 *
 * <p>Configuration reaches containers here too: a revision for a service is handed to each of its running
 * containers on a thread of the table's own (one task per container, so one whose component hangs in its
 * modified method never delays another, nor the node's housekeeping), and a container that comes to ACTIVE gets
 * the current revision once more, in case one was written while it started.
 */
public final class ContainerTable implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerTable.class);
    private static final int CONFIGURATION_THREADS = 4;

    /**
     * How the node drains, stops and sizes its containers, and how long a container may take to hand a
     * configuration revision to its components before it reports them late.
     */
    public record Policy(Duration drainDelay, Duration drainTimeout, int defaultConcurrency,
            Duration configurationUptake) {
        public Policy {
            requireNonNull(drainDelay, "drainDelay cannot be null");
            requireNonNull(drainTimeout, "drainTimeout cannot be null");
            requireNonNull(configurationUptake, "configurationUptake cannot be null");
            if (defaultConcurrency < 1) {
                throw new IllegalArgumentException("defaultConcurrency must be at least 1, got " + defaultConcurrency);
            }
        }

        /** The node's drain settings and default concurrency. */
        public static Policy of(NodeConfig config) {
            return new Policy(config.drainDelay(), config.drainTimeout(), config.maxConcurrency(),
                    CONFIGURATION_UPTAKE_TIMEOUT);
        }
    }

    /** How long a container may take to hand a configuration revision to its components before it reports them late. */
    private static final Duration CONFIGURATION_UPTAKE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Smallest change of a container's load worth a registry write. Small, because a fast service's load is a
     * fraction (sub-millisecond calls at a few thousand per second are ~0.1 in flight); the 10 % rule and the
     * interval keep the write rate bounded anyway.
     */
    private static final double MIN_LOAD_CHANGE = 0.02;
    /** CPU seconds the containers must have used since the status last showed them before it shows them again. */
    private static final double CPU_SECONDS_WORTH_A_STATUS = 1.0;

    private final String nodeId;
    private final Path storage;
    private final Container.Settings settings;
    private final Policy policy;
    private final Runnable changed;
    private final ThreadPoolExecutor configurationWork;
    private final ConcurrentMap<ContainerId, Container> containers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** When loads were last measured; only the node's housekeeping thread calls {@link #measureLoads}. */
    private long lastLoadTick = System.nanoTime();
    private double publishedCpuSeconds;

    /**
     * @param storage the directory each container's framework storage is made in, one folder per id
     * @param changed run after anything a status reader would see changed: a new container, a state, a
     *                configuration applied
     */
    public ContainerTable(String nodeId, Path storage, Container.Settings settings, Policy policy,
            Runnable changed) {
        this.nodeId = requireNonNull(nodeId, "nodeId cannot be null");
        this.storage = requireNonNull(storage, "storage cannot be null");
        this.settings = requireNonNull(settings, "settings cannot be null");
        this.policy = requireNonNull(policy, "policy cannot be null");
        this.changed = requireNonNull(changed, "changed cannot be null");
        this.configurationWork = new ThreadPoolExecutor(CONFIGURATION_THREADS, CONFIGURATION_THREADS, 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, "vessel-configuration-" + nodeId);
                    thread.setDaemon(true);
                    return thread;
                });
        configurationWork.allowCoreThreadTimeOut(true);
    }

    public String nodeId() {
        return nodeId;
    }

    public Container.Settings settings() {
        return settings;
    }

    /**
     * A new PENDING container for {@code id}, in place of an ended one.
     *
     * @throws IllegalStateException if a container of that id is not ended yet, or the table is closed
     */
    public Container create(ContainerId id) {
        if (closed.get()) {
            throw new IllegalStateException("node " + nodeId + " is closed");
        }
        Container fresh = new Container(id, storage.resolve(id.toString()), settings, this::stateChanged);
        Container current = containers.compute(id, (key, existing) ->
                existing != null && !existing.state().isTerminal() ? existing : fresh);
        if (current != fresh) {
            throw new IllegalStateException(id + " already runs on node " + nodeId + " (" + current.state() + ")");
        }
        changed.run();
        return fresh;
    }

    private void stateChanged(Container container) {
        if (container.state() == InstanceState.ACTIVE) {
            // a revision written while it started found it not yet running: it is given now (a no-op if it has it)
            reconfigure(container);
        }
        changed.run();
    }

    /** Gives every running container of {@code service} its newest configuration, live; returns at once. */
    public void reconfigure(String service) {
        for (Container container : containers.values()) {
            if (container.id().service().equals(service)) {
                reconfigure(container);
            }
        }
    }

    private void reconfigure(Container container) {
        try {
            configurationWork.execute(() -> {
                try {
                    Container.Configuration next = settings.configuration().current(container.id());
                    if (container.reconfigure(next, policy.configurationUptake())) {
                        changed.run();
                    }
                } catch (InterruptedException closing) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.warn("node {}: cannot read the configuration of {} (the next change or restart retries):"
                            + " {}", nodeId, container.id(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException closing) {
            LOG.debug("node {} is closing: a configuration change is left to its next start", nodeId);
        }
    }

    public Optional<Container> get(ContainerId id) {
        return Optional.ofNullable(containers.get(id));
    }

    /**
     * The container of that id, in whatever state.
     *
     * @throws IllegalArgumentException if the node has none, naming those it has
     */
    public Container existing(ContainerId id) {
        Container container = containers.get(id);
        if (container == null) {
            throw new IllegalArgumentException("node " + nodeId + " has no container " + id + "; it has "
                    + containers.keySet());
        }
        return container;
    }

    /** The container running {@code version} of {@code service}, or null (also for names that are no id). */
    public Container find(String service, String version) {
        try {
            return containers.get(ContainerId.of(service, version));
        } catch (IllegalArgumentException notAName) {
            return null;
        }
    }

    /** Whether any container on the node, in any state, belongs to {@code service}. */
    public boolean hasService(String service) {
        return containers.keySet().stream().anyMatch(id -> id.service().equals(service));
    }

    /** A snapshot of every container, by service then version. */
    public List<Container> all() {
        List<Container> list = new ArrayList<>(containers.values());
        list.sort((a, b) -> a.id().compareTo(b.id()));
        return list;
    }

    /** A snapshot of the containers of {@code service}, by version. */
    public List<Container> of(String service) {
        return all().stream().filter(c -> c.id().service().equals(service)).toList();
    }

    /** Each container's state and error, for the node's published status. */
    public List<ContainerStatus> statuses() {
        return all().stream().map(c -> c.info().toStatus()).toList();
    }

    /** Bulkhead limits for a deployment's {@code maxConcurrency}; 0 means the node's default. */
    public Bulkhead.Limits limits(int maxConcurrency) {
        int concurrency = maxConcurrency > 0 ? maxConcurrency : policy.defaultConcurrency();
        return new Bulkhead.Limits(concurrency, concurrency);
    }

    /** Leaves the registry, waits out the drain delay and the calls in flight, and stops. */
    /**
     * Stops a container without refusing a call: it leaves the registry, serves through the drain delay while
     * routers learn of that, then drains.
     */
    public void retire(Container container) {
        container.stop(policy.drainDelay(), policy.drainTimeout());
    }

    /**
     * Stops a container that must take no more calls (a rolled-back release): it leaves the registry and refuses new
     * calls at once ({@code 503}, retry elsewhere: callers move to the versions that remain), while the calls it
     * runs finish.
     */
    public void withdraw(Container container) {
        container.drainAndStop(policy.drainTimeout());
    }

    /** Measures and publishes the containers' loads every {@code interval} on {@code scheduler}. */
    public void publishLoads(ScheduledExecutorService scheduler, Duration interval) {
        long every = interval.toNanos();
        scheduler.scheduleAtFixedRate(() -> measureLoads(MIN_LOAD_CHANGE), every, every, TimeUnit.NANOSECONDS);
    }

    /**
     * Measures each container's load since the last tick (its call time over the tick's length: the average
     * number of calls in flight) and publishes it when it changed by at least {@code minChange}.
     */
    public void measureLoads(double minChange) {
        long now = System.nanoTime();
        double elapsed = Math.max(1, now - lastLoadTick);
        lastLoadTick = now;
        double cpuSeconds = 0;
        for (Container container : containers.values()) {
            ContainerCpu cpu = container.cpuUse();
            cpuSeconds += cpu == null ? 0 : cpu.seconds();
            double load = Math.round(container.takeBusyNanos() / elapsed * 100) / 100.0;
            container.measureCallRate(elapsed);
            try {
                container.publishLoad(load, minChange);
            } catch (RuntimeException e) {
                LOG.debug("could not publish the load of {}; next tick tries again", container.id(), e);
            }
        }
        // the status shows CPU seconds: a container that computes is seen within a few ticks, an idle node writes
        // nothing
        if (cpuSeconds - publishedCpuSeconds >= CPU_SECONDS_WORTH_A_STATUS) {
            publishedCpuSeconds = cpuSeconds;
            changed.run();
        }
    }

    /** How this node keeps its containers' CPU apart. */
    public CpuIsolation cpu() {
        return settings.cpu();
    }

    /**
     * Refuses new containers, then stops every one: all leave the registry first, wait out one drain delay
     * together, then each drains its calls and stops. Configuration changes still queued are dropped.
     */
    @Override
    public void close() {
        try {
            stopAll();
        } finally {
            configurationWork.shutdownNow();
        }
    }

    private void stopAll() {
        closed.set(true);
        boolean anyRegistered = false;
        for (Container container : containers.values()) {
            anyRegistered |= container.leaveRegistry();
        }
        if (anyRegistered && !policy.drainDelay().isZero()) {
            try {
                Thread.sleep(policy.drainDelay().toMillis()); // routers' propagation time, not a synchronization
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Container container : containers.values()) {
            try {
                container.drainAndStop(policy.drainTimeout());
            } catch (RuntimeException e) {
                LOG.warn("container {} did not stop cleanly", container.id(), e);
            }
        }
    }
}
