package dev.vessel.host.internal.container;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.ContainerId;
import dev.vessel.host.ContainerInfo;
import dev.vessel.host.Release;
import dev.vessel.host.internal.cpu.CpuGroup;
import dev.vessel.host.internal.cpu.CpuIsolation;
import dev.vessel.host.internal.cpu.CpuRequest;
import dev.vessel.host.internal.cpu.CpuUse;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.registry.ContainerCpu;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import dev.vessel.host.internal.metrics.CallWindow;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container's whole life: PENDING → FETCHING → STARTING → ACTIVE → DRAINING → STOPPED, or FAILED with the
 * reason. Transitions are compare-and-set, so two threads can never both start or both stop it. It owns what the
 * container runs on: the release's {@link ReleaseFramework}, a {@link Bulkhead} for calls, and a thread group
 * that every thread it starts (and every thread those start) belongs to, which is how threads a release leaves
 * behind are found. It is registered only once ACTIVE and leaves the registry before it drains.
 *
 * <p>Stopping or failing one container never touches another.
 */
public final class Container {
    private static final Logger LOG = LoggerFactory.getLogger(Container.class);
    private static final Set<InstanceState> BEFORE_START = EnumSet.of(InstanceState.PENDING, InstanceState.FETCHING);
    /** Extra time a start has past the ready timeout to report its own failure before it counts as stuck. */
    private static final long START_GRACE_MILLIS = 500;
    /**
     * How long Vessel's own part of a start may take (framework, platform, installing the release's jars in place):
     * generous, since it waits on the node's disk and CPU, but bounded, so a stuck disk still fails the container.
     */
    static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(2);

    /**
     * What a container needs from its node.
     *
     * @param readInPlace the jars Felix may read where they are instead of copying them into the container's storage:
     *                    the artifact store's, which never change while a release uses them; not a local release's,
     *                    which its owner may rebuild in place while it runs
     */
    public record Settings(String systemPackagesExtra, Duration readyTimeout, Duration stopTimeout,
            Registration registration, Placement placement, ConfigurationSource configuration, CpuIsolation cpu,
            Predicate<Path> readInPlace) {
        public Settings(String systemPackagesExtra, Duration readyTimeout, Duration stopTimeout,
                Registration registration, Placement placement, ConfigurationSource configuration, CpuIsolation cpu) {
            this(systemPackagesExtra, readyTimeout, stopTimeout, registration, placement, configuration, cpu,
                    jar -> false);
        }

        public Settings(String systemPackagesExtra, Duration readyTimeout, Duration stopTimeout,
                Registration registration, Placement placement, ConfigurationSource configuration) {
            this(systemPackagesExtra, readyTimeout, stopTimeout, registration, placement, configuration,
                    CpuIsolation.unisolated());
        }

        public Settings(String systemPackagesExtra, Duration readyTimeout, Duration stopTimeout,
                Registration registration, Placement placement) {
            this(systemPackagesExtra, readyTimeout, stopTimeout, registration, placement, ConfigurationSource.NONE);
        }

        /**
         * The same, for a container that is never registered (a release validation's dry run); its CPU is
         * measured, not isolated (its group would have the name of the version it validates).
         */
        public Settings unregistered() {
            return new Settings(systemPackagesExtra, readyTimeout, stopTimeout, Registration.NONE, placement,
                    configuration, CpuIsolation.unisolated(), readInPlace);
        }

        public Settings {
            requireNonNull(configuration, "configuration cannot be null");
            requireNonNull(systemPackagesExtra, "systemPackagesExtra cannot be null");
            requireNonNull(readyTimeout, "readyTimeout cannot be null");
            requireNonNull(stopTimeout, "stopTimeout cannot be null");
            requireNonNull(registration, "registration cannot be null");
            requireNonNull(placement, "placement cannot be null");
            requireNonNull(cpu, "cpu cannot be null");
            requireNonNull(readInPlace, "readInPlace cannot be null");
        }
    }

    /**
     * A configuration revision as it applies to one container: PID -> properties, and the secret values among
     * them, which never appear in what the container reports (a component's exception may quote one).
     */
    public record Configuration(long revision, Map<String, Map<String, Object>> pids, Set<String> secrets) {
        public static final Configuration NONE = new Configuration(0, Map.of());

        public Configuration {
            pids = Map.copyOf(pids);
            secrets = Set.copyOf(secrets);
        }

        public Configuration(long revision, Map<String, Map<String, Object>> pids) {
            this(revision, pids, Set.of());
        }

        /** {@code text} with every secret value in it shown as {@code ***}. */
        String masked(String text) {
            String masked = text;
            for (String secret : secrets) {
                if (!secret.isEmpty()) {
                    masked = masked.replace(secret, "***");
                }
            }
            return masked;
        }
    }

    /** Where a starting container gets its current configuration from. */
    public interface ConfigurationSource {
        ConfigurationSource NONE = id -> Configuration.NONE;

        Configuration current(ContainerId id);
    }

    /** Where the node serves, for the container's instance record. */
    public record Placement(String nodeId, String zone, String address, int port) {
        InstanceRecord record(ContainerId id, InstanceState state, int weight) {
            return new InstanceRecord(nodeId + "." + id, id.service(), id.version().toString(), nodeId, id.toString(),
                    zone, state, weight, address, port);
        }
    }

    /** How a container enters and leaves the registry; {@link #NONE} for scratch containers. */
    public interface Registration {
        Registration NONE = new Registration() {
            @Override
            public void register(InstanceRecord record) {}

            @Override
            public void update(InstanceRecord record) {}

            @Override
            public void unregister(InstanceRecord record) {}
        };

        void register(InstanceRecord record);

        void update(InstanceRecord record);

        void unregister(InstanceRecord record);

        /** Registration in the node's service registry. */
        static Registration through(InstanceRegistry registry) {
            return new Registration() {
                @Override
                public void register(InstanceRecord record) {
                    registry.register(record);
                }

                @Override
                public void update(InstanceRecord record) {
                    registry.update(record);
                }

                @Override
                public void unregister(InstanceRecord record) {
                    registry.unregister(record);
                }
            };
        }
    }

    /** Whether a call got in. */
    public enum Admission {
        ADMITTED,
        /** The container is not ACTIVE: the call was not run; another instance may take it. */
        NOT_ACTIVE,
        /** Its bulkhead is full: the call was not run; another instance may take it. */
        OVERLOADED,
        /**
         * It used more CPU than its budget (measured isolation): the call was not run; another instance may take
         * it.
         */
        OVER_CPU_BUDGET
    }

    private final ContainerId id;
    private final Path storage;
    private final Settings settings;
    private final Consumer<Container> stateListener;
    private final ThreadGroup threads;
    private final AtomicReference<InstanceState> state = new AtomicReference<>(InstanceState.PENDING);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder callsSinceTick = new LongAdder();
    private final CallWindow calls = new CallWindow();
    /** How long after becoming ACTIVE a container's call latencies are its warm-up, not the release's. */
    public static final Duration WARM_UP = Duration.ofSeconds(2);
    private volatile double callRate;
    private final Object drainMonitor = new Object();
    /** Guards {@link #record}: registry writes for one container happen one at a time, in order. */
    private final Object registrationLock = new Object();

    private volatile String error;
    private volatile long since = System.currentTimeMillis();
    private volatile ReleaseFramework framework;
    /** The configuration revision the release's Configuration Admin holds, and why the last one given was not. */
    private volatile long configRevision;
    private final Object configLock = new Object();
    private volatile String configError;
    /** The PIDs of {@link #configRevision}, to remove those a later revision no longer has. */
    private java.util.Set<String> configuredPids = java.util.Set.of();
    private volatile Bulkhead bulkhead;
    private volatile CpuGroup cpu;
    private volatile CpuRequest cpuRequested;
    private InstanceRecord record;

    public Container(ContainerId id, Path storage, Settings settings, Consumer<Container> stateListener) {
        this.id = requireNonNull(id, "id cannot be null");
        this.storage = requireNonNull(storage, "storage cannot be null");
        this.settings = requireNonNull(settings, "settings cannot be null");
        this.stateListener = requireNonNull(stateListener, "stateListener cannot be null");
        this.threads = new ThreadGroup("vessel-" + id);
    }

    public ContainerId id() {
        return id;
    }

    /** Calls admitted and not yet ended: running or queued in the bulkhead. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The calls of the last minutes, per second, as a rollout's driver asks for them. */
    public CallWindow calls() {
        return calls;
    }

    /**
     * Whether the container became ACTIVE less than {@link #WARM_UP} ago: its first calls load the release's classes
     * and run cold code, and a rollout judging its latency would judge that instead of the release.
     */
    public boolean warmingUp() {
        return state.get() == InstanceState.ACTIVE && System.currentTimeMillis() - since < WARM_UP.toMillis();
    }

    public InstanceState state() {
        return state.get();
    }

    /** Why the container FAILED, else {@code null}. */
    public String error() {
        return error;
    }

    public long since() {
        return since;
    }

    /** PENDING → FETCHING: the release's artifacts are being fetched. False if the container is past that. */
    public boolean beginFetch() {
        return move(EnumSet.of(InstanceState.PENDING), InstanceState.FETCHING, null);
    }

    /** PENDING or FETCHING → FAILED, for a release that could not even be fetched or read. */
    public boolean failBeforeStart(String reason) {
        return move(BEFORE_START, InstanceState.FAILED, reason);
    }

    /**
     * Starts {@code release} and waits until it is ACTIVE and registered, or FAILED. The framework starts on a thread
     * of the container's own; an activator or component that has not returned within the ready timeout fails the
     * container, which is then torn down. Ends ACTIVE, or FAILED with the reason.
     *
     * @throws IllegalStateException if the container was already started or stopped
     */
    public void start(Release release, int weight, Bulkhead.Limits limits) {
        start(release, weight, limits, CpuRequest.DEFAULT);
    }

    /**
     * Like {@link #start(Release, int, Bulkhead.Limits)}, in a CPU group with {@code cpuRequest}: every thread the
     * container runs calls on, its framework's and those they start are in it.
     */
    public void start(Release release, int weight, Bulkhead.Limits limits, CpuRequest cpuRequest) {
        requireNonNull(release, "release cannot be null");
        if (!release.id().equals(id)) {
            throw new IllegalArgumentException("release " + release.id() + " does not belong in container " + id);
        }
        if (!move(BEFORE_START, InstanceState.STARTING, null)) {
            throw new IllegalStateException("container " + id + " is " + state() + "; it starts only once");
        }
        Configuration initial;
        try {
            initial = settings.configuration().current(id);
        } catch (RuntimeException e) {
            fail("could not read the configuration of " + id.service() + ": " + e.getMessage());
            return;
        }
        ReleaseFramework started = new ReleaseFramework(release, storage, settings.systemPackagesExtra(),
                initial, settings.readInPlace());
        synchronized (configLock) {
            configRevision = initial.revision();
            configuredPids = initial.pids().keySet();
        }
        try {
            cpu = settings.cpu().open(id, cpuRequest, threads, inFlight::get);
            cpuRequested = cpuRequest;
        } catch (RuntimeException e) {
            fail("could not make its CPU group: " + e.getMessage());
            return;
        }
        framework = started;
        CpuGroup group = cpu;
        bulkhead = new Bulkhead(threads, "vessel-call-" + id, limits, group::placeCurrentThread);
        String failure = runStart(started);
        if (failure != null) {
            fail(failure);
            return;
        }
        synchronized (registrationLock) {
            if (!move(EnumSet.of(InstanceState.STARTING), InstanceState.ACTIVE, null)) {
                return; // stopped while starting
            }
            InstanceRecord active = settings.placement().record(id, InstanceState.ACTIVE, weight);
            try {
                settings.registration().register(active);
                record = active;
            } catch (RuntimeException e) {
                LOG.warn("container {} is ACTIVE but could not be registered; failing it", id, e);
                failure = "ACTIVE but could not be registered: " + e.getMessage();
            }
        }
        if (failure != null) {
            fail(failure);
        }
    }

    /**
     * Null when the release started in time, else why not. Two bounds, one after the other: {@link #PREPARE_TIMEOUT}
     * for Vessel's part (framework, platform, installing the jars), then the ready timeout for the release's own code
     * (activators, components, endpoints), so a big release on a busy node is not failed for the node's I/O.
     */
    private String runStart(ReleaseFramework started) {
        long readyNanos = settings.readyTimeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(START_GRACE_MILLIS);
        CpuGroup group = cpu;
        CompletableFuture<Void> prepared = new CompletableFuture<>();
        FutureTask<Void> task = new FutureTask<>(() -> {
            group.placeCurrentThread(); // first: the framework's threads, and the release's, start from this one
            try {
                started.prepare();
            } finally {
                prepared.complete(null);
            }
            started.start(settings.readyTimeout());
            return null;
        });
        Thread starter = new Thread(threads, task, "vessel-start-" + id);
        starter.setDaemon(true);
        starter.start();
        try {
            try {
                prepared.get(PREPARE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                starter.interrupt();
                return "its framework and bundles were not installed within " + PREPARE_TIMEOUT.toSeconds()
                        + " s (stuck at " + where(starter, frame -> true) + ")";
            }
            task.get(readyNanos, TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof ReleaseFramework.StartFailure failure ? failure.getMessage()
                    : "container framework failed: " + e.getCause();
        } catch (TimeoutException e) {
            String where = where(starter, Container::isReleaseFrame);
            starter.interrupt();
            return "did not start within " + settings.readyTimeout().toMillis() + " ms (an activator or component"
                    + " did not return; stuck at " + where + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            starter.interrupt();
            return "interrupted while starting";
        }
    }

    private static String where(Thread thread, Predicate<StackTraceElement> shown) {
        return Arrays.stream(thread.getStackTrace()).filter(shown).limit(2)
                .map(StackTraceElement::toString).collect(Collectors.joining(" <- "));
    }

    /** A frame of the release's own code (or the platform's), not the JDK's or the framework's. */
    private static boolean isReleaseFrame(StackTraceElement frame) {
        String type = frame.getClassName();
        return !type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")
                && !type.startsWith("org.apache.felix.framework.");
    }

    /**
     * Admits a call and runs it on this container's bulkhead: counts it in flight first, then checks the container
     * still takes calls. The order matters for draining: a call that got in is always waited for.
     */
    public Admission submit(Runnable call) {
        inFlight.incrementAndGet();
        Bulkhead calls = bulkhead;
        if (state.get() != InstanceState.ACTIVE || calls == null) {
            exit();
            return Admission.NOT_ACTIVE;
        }
        if (!cpu.admits()) {
            exit();
            return Admission.OVER_CPU_BUDGET;
        }
        boolean admitted = calls.trySubmit(() -> {
            long started = System.nanoTime();
            try {
                call.run();
            } finally {
                busyNanos.add(System.nanoTime() - started);
                callsSinceTick.increment();
                exit();
            }
        });
        if (!admitted) {
            exit();
            return Admission.OVERLOADED;
        }
        return Admission.ADMITTED;
    }

    private void exit() {
        if (inFlight.decrementAndGet() == 0 && state.get() == InstanceState.DRAINING) {
            synchronized (drainMonitor) {
                drainMonitor.notifyAll();
            }
        }
    }

    /** Calls a method of an endpoint; only from a call {@link #submit submitted} to this container. */
    public byte[] call(String endpoint, String method, JsonNode arguments) throws CallFailure {
        ReleaseFramework current = framework;
        if (current == null) {
            throw CallFailure.unavailable("container " + id + " stopped before the call ran; it was not executed");
        }
        return current.call(endpoint, method, arguments);
    }

    /**
     * Gives the running release a configuration revision of its service: every PID it names gets its properties,
     * every PID of the revision applied before that it no longer names is removed. A revision not newer than the
     * one applied is ignored. Then waits, at most {@code uptakeTimeout}, until the release's components have it.
     * A refusal is recorded (see {@link ContainerInfo#configError}): by Configuration Admin (the PIDs given before
     * it stay as they were), or by a component whose modified method throws or whose activation fails (it keeps
     * what it had, as Declarative Services does); the release keeps running either way.
     *
     * @return whether anything was applied or refused
     */
    public boolean reconfigure(Configuration next, Duration uptakeTimeout) throws InterruptedException {
        synchronized (configLock) {
            if (next.revision() <= configRevision || state() != InstanceState.ACTIVE) {
                return false;
            }
            try {
                ReleaseFramework current = running();
                ComponentUptake uptake = current.uptake();
                try (ComponentUptake.Watch watch = uptake.watch()) {
                    ContainerConfiguration admin = current.configuration();
                    for (Map.Entry<String, Map<String, Object>> pid : next.pids().entrySet()) {
                        admin.update(pid.getKey(), pid.getValue(), next.revision());
                    }
                    for (String gone : configuredPids) {
                        if (!next.pids().containsKey(gone)) {
                            admin.delete(gone);
                        }
                    }
                    configuredPids = next.pids().keySet();
                    List<String> refusals = uptake.await(watch, next.pids().keySet(), next.revision(),
                            uptakeTimeout);
                    // both at once, after the wait: a status record published meanwhile must not show it applied
                    configError = refusals.isEmpty() ? null : next.masked("revision " + next.revision() + ": "
                            + String.join("; ", refusals));
                    configRevision = next.revision();
                }
                if (configError != null) {
                    LOG.warn("container {}: {}", id, configError);
                }
            } catch (RuntimeException e) {
                configError = next.masked("revision " + next.revision() + ": " + e.getMessage());
                LOG.warn("container {}: configuration revision {} not applied: {}", id, next.revision(),
                        next.masked(String.valueOf(e.getMessage())));
            }
            return true;
        }
    }

    /**
     * Gives configuration {@code pid} these properties in the running release, live: Configuration Admin hands
     * them to the release's components, which see them as any OSGi configuration change.
     *
     * @throws IllegalStateException if the container does not run, or Configuration Admin refuses them
     */
    public void configure(String pid, java.util.Map<String, ?> properties) {
        running().configuration().update(pid, properties);
    }

    /** Removes configuration {@code pid} from the running release: its components go back to their defaults. */
    public void unconfigure(String pid) {
        running().configuration().delete(pid);
    }

    /** Configuration {@code pid} as the running release's Configuration Admin holds it (empty if it has none). */
    public java.util.Map<String, Object> configuration(String pid) {
        return running().configuration().properties(pid);
    }

    private ReleaseFramework running() {
        ReleaseFramework current = framework;
        if (current == null || state() != InstanceState.ACTIVE) {
            throw new IllegalStateException("container " + id + " is " + state() + ", not running");
        }
        return current;
    }

    /** The implementation class of an endpoint service, or null: lets callers name the code that answers. */
    Class<?> endpointImplementation(String endpoint) {
        ReleaseFramework current = framework;
        return current == null ? null : current.endpointImplementation(endpoint);
    }

    /**
     * The call time added since the last take. Divided by the time since then it is the average number of calls
     * in flight (Little's law); calls still running count when they end.
     */
    public long takeBusyNanos() {
        return busyNanos.sumThenReset();
    }

    /** Sets {@link #callRate} from the calls it completed since the last tick, {@code elapsedNanos} ago. */
    public void measureCallRate(double elapsedNanos) {
        callRate = callsSinceTick.sumThenReset() * 1e9 / elapsedNanos;
    }

    /** Calls per second it completed over the node's last load tick (one second by default). */
    public double callRate() {
        return callRate;
    }

    /**
     * Changes the weight the container is registered with and its call limits, while it keeps serving; it never
     * leaves the registry meanwhile.
     */
    public void update(int newWeight, Bulkhead.Limits limits) {
        update(newWeight, limits, null);
    }

    /** Like {@link #update(int, Bulkhead.Limits)}, and its CPU share and limit unless {@code cpuRequest} is null. */
    public void update(int newWeight, Bulkhead.Limits limits, CpuRequest cpuRequest) {
        Bulkhead calls = bulkhead;
        if (calls != null && !calls.limits().equals(limits)) {
            calls.resize(limits);
        }
        CpuGroup group = cpu;
        if (group != null && cpuRequest != null && !cpuRequest.equals(cpuRequested)) {
            group.apply(cpuRequest);
            cpuRequested = cpuRequest;
        }
        synchronized (registrationLock) {
            if (record != null && record.weight() != newWeight) {
                InstanceRecord updated = record.withWeight(newWeight);
                settings.registration().update(updated);
                record = updated;
            }
        }
    }

    /**
     * Publishes {@code load} (average calls in flight) in the registry record when it moved by at least
     * {@code minChange} and 10 %: an idle or steady container causes no registry traffic.
     */
    public void publishLoad(double load, double minChange) {
        synchronized (registrationLock) {
            if (record == null) {
                return;
            }
            double change = Math.abs(load - record.load());
            // becoming idle is always published: a residue below the minimum change (0.01) would otherwise stay
            // in the registry for good, and routers would never see the container as idle again
            boolean becameIdle = load == 0 && record.load() != 0;
            if (!becameIdle && (change < minChange || change < 0.1 * Math.max(load, record.load()))) {
                return;
            }
            InstanceRecord updated = record.withLoad(load);
            settings.registration().update(updated);
            record = updated;
        }
    }

    /** Takes the container out of the registry; returns whether it was in it. It keeps serving until drained. */
    public boolean leaveRegistry() {
        synchronized (registrationLock) {
            if (record == null) {
                return false;
            }
            InstanceRecord leaving = record;
            record = null;
            try {
                settings.registration().unregister(leaving);
            } catch (RuntimeException e) {
                LOG.warn("could not unregister {}; its session's end will remove it", leaving.id(), e);
            }
            return true;
        }
    }

    /**
     * Leaves the registry, keeps serving for {@code drainDelay} if it was registered (routers learn of the removal
     * through their watches within milliseconds, and until they have, calls still arrive and must succeed), then
     * {@link #drainAndStop drains and stops}.
     */
    public void stop(Duration drainDelay, Duration drainTimeout) {
        if (leaveRegistry() && !drainDelay.isZero()) {
            try {
                Thread.sleep(drainDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drainAndStop(drainTimeout);
    }

    /**
     * Stops taking calls (they get 503, retry elsewhere), waits up to {@code drainTimeout} for calls in flight, then
     * stops the framework and removes its storage. A FAILED container keeps its state and reason; one that never
     * started just becomes STOPPED.
     */
    public void drainAndStop(Duration drainTimeout) {
        leaveRegistry();
        if (move(BEFORE_START, InstanceState.STOPPED, null)) {
            return;
        }
        if (move(EnumSet.of(InstanceState.ACTIVE, InstanceState.STARTING), InstanceState.DRAINING, null)) {
            awaitDrained(drainTimeout);
            tearDown();
            move(EnumSet.of(InstanceState.DRAINING), InstanceState.STOPPED, null);
        }
    }

    private void awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drainMonitor) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("container {}: {} call(s) still in flight after {} ms; stopping anyway", id,
                            inFlight.get(), timeout.toMillis());
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drainMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void fail(String reason) {
        LOG.warn("container {} FAILED: {}", id, reason);
        leaveRegistry();
        if (move(EnumSet.of(InstanceState.STARTING, InstanceState.ACTIVE), InstanceState.FAILED, reason)) {
            tearDown();
        }
    }

    /**
     * Stops the framework on a thread of the container's group (so the framework's own shutdown threads are the
     * container's too), bounded by the stop timeout; a framework that does not stop in time is abandoned and its
     * threads show up as {@link #leftoverThreads()}.
     */
    private void tearDown() {
        Bulkhead calls = bulkhead;
        if (calls != null) {
            calls.shutdown();
        }
        ReleaseFramework current = framework;
        framework = null;
        if (current == null) {
            return;
        }
        CpuGroup group = cpu;
        Thread stopper = new Thread(threads, () -> {
            group.placeCurrentThread();
            if (!current.shutdown(settings.stopTimeout())) {
                LOG.warn("container {}: framework did not stop within {} ms; abandoned", id,
                        settings.stopTimeout().toMillis());
            }
        }, "vessel-stop-" + id);
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(settings.stopTimeout().toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.close(); // threads the release left behind go to the node's group
    }

    /**
     * Threads of this container still alive after it stopped or failed: started by the release and never ended
     * (they cannot keep the host from exiting: the host ends its process itself). Empty while it runs.
     */
    public List<String> leftoverThreads() {
        if (!state.get().isTerminal()) {
            return List.of();
        }
        Thread[] live = new Thread[threads.activeCount() + 8];
        int n = threads.enumerate(live, true);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(live[i].getName() + (live[i].isDaemon() ? "" : " (non-daemon)"));
        }
        names.sort(null);
        return names;
    }

    /** Limits of the bulkhead, or null before the container started. */
    public Bulkhead.Limits limits() {
        Bulkhead calls = bulkhead;
        return calls == null ? null : calls.limits();
    }

    /** Calls refused because the bulkhead was full. */
    public long overloaded() {
        Bulkhead calls = bulkhead;
        return calls == null ? 0 : calls.refused();
    }

    public ContainerInfo info() {
        Bulkhead.Limits limits = limits();
        return new ContainerInfo(id.toString(), id.service(), id.version().toString(), state(), error, since,
                limits == null ? 0 : limits.maxConcurrency(), overloaded(), leftoverThreads(), configRevision,
                configError, cpuUse());
    }

    /** Its CPU share, limit and use; null before it started. */
    public ContainerCpu cpuUse() {
        CpuGroup group = cpu;
        if (group == null) {
            return null;
        }
        CpuUse use = group.use();
        return new ContainerCpu(use.share(), use.limit(), use.cpuNanos() / 1e9, use.allocatedBytes(),
                use.throttled(), use.refused());
    }

    private boolean move(Set<InstanceState> from, InstanceState next, String reason) {
        InstanceState current;
        do {
            current = state.get();
            if (!from.contains(current)) {
                return false;
            }
        } while (!state.compareAndSet(current, next));
        error = reason;
        since = System.currentTimeMillis();
        if (next == InstanceState.DRAINING && inFlight.get() == 0) {
            synchronized (drainMonitor) {
                drainMonitor.notifyAll();
            }
        }
        try {
            stateListener.accept(this);
        } catch (RuntimeException e) {
            LOG.warn("container {}: state listener failed", id, e);
        }
        return true;
    }
}
