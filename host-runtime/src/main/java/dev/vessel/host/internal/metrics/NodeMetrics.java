package dev.vessel.host.internal.metrics;

import dev.vessel.registry.ContainerCpu;
import dev.vessel.host.ContainerId;
import dev.vessel.host.internal.container.Container;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One node's metrics, in a registry of its own (a JVM may run several nodes), served as Prometheus text on
 * {@code GET /metrics}. Every label value comes from a bounded set: service and version name a container this
 * node runs, a method label names a method the release's endpoint has (anything else is {@link #UNKNOWN}), and
 * outcomes, reasons, states and events are fixed words. A caller can therefore never add a series by sending
 * names; README's Metrics section lists the whole label set.
 */
public final class NodeMetrics {
    /** The label value for a name the node does not run: the caller's text never becomes a label. */
    public static final String UNKNOWN = "_unknown";
    /** The outcome of a call that returned. */
    public static final String OK = "OK";
    private static final double[] CALL_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10};
    private static final double[] START_BUCKETS = {0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Histogram calls;
    private final Counter refusals;
    private final Histogram starts;
    private final Histogram reconciles;
    private final Counter registryEvents;
    private final Counter rollouts;
    private final Counter evaluations;

    private NodeMetrics(Supplier<List<Container>> containers, LongSupplier artifactBytesServed,
            LongSupplier artifactBytesFetched, BooleanSupplier connected) {
        registry = new PrometheusRegistry();
        calls = Histogram.builder().name("rpc_server_call_duration_seconds")
                .help("Calls a container ran, from arrival at the node to the answer, by outcome (OK or the error"
                        + " code)")
                .labelNames("rpc_service", "vessel_version", "rpc_method", "outcome")
                .classicOnly().classicUpperBounds(CALL_BUCKETS).register(registry);
        refusals = Counter.builder().name("vessel_call_refusals_total")
                .help("Calls the node answered without running them, by reason")
                .labelNames("rpc_service", "vessel_version", "reason").register(registry);
        GaugeWithCallback.builder().name("vessel_calls_in_flight")
                .help("Calls admitted to a container and not yet answered (running or queued)")
                .labelNames("rpc_service", "vessel_version")
                .callback(callback -> {
                    for (Container container : containers.get()) {
                        callback.call(container.inFlight(), container.id().service(),
                                container.id().version().toString());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("vessel_containers")
                .help("Containers on the node by state")
                .labelNames("state")
                .callback(callback -> {
                    Map<InstanceState, Integer> byState = new EnumMap<>(InstanceState.class);
                    for (InstanceState state : InstanceState.values()) {
                        byState.put(state, 0);
                    }
                    for (Container container : containers.get()) {
                        byState.merge(container.state(), 1, Integer::sum);
                    }
                    byState.forEach((state, count) -> callback.call(count, state.name()));
                }).register(registry);
        containerCpu(containers, "vessel_container_cpu_seconds_total", "CPU seconds a container's threads used (the"
                + " kernel's accounting where the node isolates containers by cgroup)", ContainerCpu::seconds);
        containerCpu(containers, "vessel_container_allocated_bytes_total", "Heap bytes a container's threads"
                + " allocated", cpu -> cpu.allocatedBytes());
        containerCpu(containers, "vessel_container_cpu_throttled_periods_total", "Periods in which the kernel held a"
                + " container at its CPU limit", cpu -> cpu.throttled());
        GaugeWithCallback.builder().name("vessel_container_cpu_limit_cores")
                .help("The cores a container may use at most: its deployment's limit, else the node's cores less"
                        + " its reserve")
                .labelNames("rpc_service", "vessel_version")
                .callback(callback -> {
                    for (Container container : containers.get()) {
                        ContainerCpu cpu = container.cpuUse();
                        if (cpu != null) {
                            callback.call(cpu.limit(), container.id().service(), container.id().version().toString());
                        }
                    }
                }).register(registry);
        starts = Histogram.builder().name("vessel_container_start_duration_seconds")
                .help("Container starts (deploys on this node), from start to ACTIVE or FAILED, by outcome")
                .labelNames("outcome").classicOnly().classicUpperBounds(START_BUCKETS).register(registry);
        reconciles = Histogram.builder().name("vessel_reconcile_pass_duration_seconds")
                .help("Reconcile passes of a service's desired state, by outcome (ok, behind, error)")
                .labelNames("outcome").classicOnly().classicUpperBounds(START_BUCKETS).register(registry);
        counter("vessel_artifact_served_bytes_total", "Artifact bytes served to peers",
                artifactBytesServed);
        counter("vessel_artifact_fetched_bytes_total", "Artifact bytes fetched (verified chunks)",
                artifactBytesFetched);
        GaugeWithCallback.builder().name("vessel_zookeeper_connected")
                .help("1 while the node's ZooKeeper session is connected")
                .callback(callback -> callback.call(connected.getAsBoolean() ? 1 : 0)).register(registry);
        registryEvents = Counter.builder().name("vessel_zookeeper_connection_events_total")
                .help("Changes of the node's ZooKeeper connection (Curator's CONNECTED, SUSPENDED, RECONNECTED,"
                        + " LOST, READ_ONLY)")
                .labelNames("event").register(registry);
        rollouts = Counter.builder().name("vessel_rollouts_total")
                .help("Rollouts under a rule this node drove to their end, by outcome (PROMOTED, ROLLED_BACK,"
                        + " ABORTED)")
                .labelNames("outcome").register(registry);
        evaluations = Counter.builder().name("vessel_rollout_evaluations_total")
                .help("Evaluations of rollout gates this node made as the rollout driver, by verdict (PASS, FAIL,"
                        + " NO_DATA)")
                .labelNames("verdict").register(registry);
        jvm();
    }

    /**
     * client_java's JVM metrics but its thread metrics, whose state counts and deadlock checks take a snapshot of
     * every thread (a safepoint that pauses them all) on each scrape of an endpoint anyone may read; the thread
     * counts come from the JVM's counters instead. Its runtime-information series (the exact JVM build) and native
     * memory metrics are left out too: nothing a dashboard needs, and the former is a fingerprint for strangers.
     */
    private void jvm() {
        JvmMemoryMetrics.builder().register(registry);
        JvmMemoryPoolAllocationMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        ProcessMetrics.builder().register(registry);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge("jvm_threads_current", "Current thread count of the JVM", threads::getThreadCount);
        gauge("jvm_threads_daemon", "Daemon thread count of the JVM", threads::getDaemonThreadCount);
        gauge("jvm_threads_peak", "Peak thread count of the JVM", threads::getPeakThreadCount);
        counter("jvm_threads_started_total", "Threads the JVM started", threads::getTotalStartedThreadCount);
    }

    private void gauge(String name, String help, LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsLong())).register(registry);
    }

    /** A counter per started container, read from its CPU group at each scrape. */
    private void containerCpu(Supplier<List<Container>> containers, String name, String help,
            java.util.function.ToDoubleFunction<ContainerCpu> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("rpc_service", "vessel_version")
                .callback(callback -> {
                    for (Container container : containers.get()) {
                        ContainerCpu cpu = container.cpuUse();
                        if (cpu != null) {
                            callback.call(value.applyAsDouble(cpu), container.id().service(),
                                    container.id().version().toString());
                        }
                    }
                }).register(registry);
    }

    private void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsLong())).register(registry);
    }

    /**
     * @param containers           every container of the node, read at each scrape
     * @param artifactBytesServed  artifact bytes served to peers so far
     * @param artifactBytesFetched artifact bytes fetched (verified chunks) so far
     * @param connected            whether the node's ZooKeeper session is connected now
     */
    public static NodeMetrics start(Supplier<List<Container>> containers, LongSupplier artifactBytesServed,
            LongSupplier artifactBytesFetched, BooleanSupplier connected) {
        return new NodeMetrics(containers, artifactBytesServed, artifactBytesFetched, connected);
    }

    /** A call that ran in {@code container}: {@code method} must be one its endpoint has, or {@link #UNKNOWN}. */
    public void call(ContainerId container, String method, String outcome, long nanos) {
        calls.labelValues(container.service(), container.version().toString(), method, outcome)
                .observe(nanos / 1e9);
    }

    /** A call answered without running: {@code service} and {@code version} as the node runs them, or UNKNOWN. */
    public void refused(String service, String version, String reason) {
        refusals.labelValues(service, version, reason).inc();
    }

    public void containerStarted(boolean active, long nanos) {
        starts.labelValues(active ? "active" : "failed").observe(nanos / 1e9);
    }

    /** A reconcile pass: "ok", "behind" (a step failed and is retried) or "error" (the pass itself threw). */
    public void reconciled(String outcome, long nanos) {
        reconciles.labelValues(outcome).observe(nanos / 1e9);
    }

    /** A Curator connection state, by its enum name. */
    /** Counts the changes of {@code registry}'s connection from now on (and the connection made before, if any). */
    public void follow(RegistryConnection registry) {
        registry.curator().getConnectionStateListenable().addListener((client, state) -> registryEvent(state.name()));
        if (registry.connected()) {
            registryEvent("CONNECTED"); // the session was made before anyone listened
        }
    }

    public void registryEvent(String event) {
        registryEvents.labelValues(event).inc();
    }

    /** A rollout this node drove ended: PROMOTED, ROLLED_BACK or ABORTED. */
    public void rolloutEnded(String outcome) {
        rollouts.labelValues(outcome).inc();
    }

    /** An evaluation of a rollout's gates: PASS, FAIL or NO_DATA. */
    public void rolloutEvaluated(String verdict) {
        evaluations.labelValues(verdict).inc();
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** Writes every metric in the Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
