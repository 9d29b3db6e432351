package dev.vessel.host.internal.http;

import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.metrics.CallWindow;
import dev.vessel.registry.ContainerCpu;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * How busy a node is right now: what {@code GET /v1/load} answers and the dashboard shows per node. Like
 * {@code /metrics} it names the services and versions the node runs and their call rates, never a caller's text
 * or an error.
 *
 * @param callRate   calls per second its containers completed over the last load tick (one second by default)
 * @param processCpu the JVM's share of the machine's CPU, 0-1; -1 when the platform cannot tell
 * @param systemLoad the machine's one-minute load average; -1 when the platform cannot tell
 */
public record NodeLoad(String node, long time, int inFlight, double callRate, double processCpu, double systemLoad,
        long heapUsed, long heapMax, List<ContainerLoad> containers) {
    /**
     * @param cpuSeconds     CPU seconds its threads used since it started (0 before)
     * @param cpuLimit       the cores it may use at most (0 before it started)
     * @param allocatedBytes heap bytes its threads allocated since it started
     * @param recentCalls    calls over the last {@link #RECENT_SECONDS} seconds (as a rollout counts them)
     * @param recentFailures of those, the ones their callers saw fail
     * @param recentLatency  their latencies, {@link dev.vessel.protocol.admin.LatencyBuckets} bucket to count (the
     *                       buckets with calls only)
     */
    public record ContainerLoad(String service, String version, String state, int inFlight, double callRate,
            double cpuSeconds, double cpuLimit, long allocatedBytes, long recentCalls, long recentFailures,
            java.util.Map<Integer, Long> recentLatency) {}

    /** The window of the recent calls each container's load carries: the dashboard's error rates and p99s. */
    public static final int RECENT_SECONDS = 10;

    public static NodeLoad of(ContainerTable containers) {
        List<ContainerLoad> loads = new ArrayList<>();
        int inFlight = 0;
        double rate = 0;
        for (Container c : containers.all()) {
            ContainerCpu cpu = c.cpuUse();
            CallWindow.Totals recent = c.calls().last(RECENT_SECONDS);
            java.util.Map<Integer, Long> latency = new java.util.TreeMap<>();
            for (int i = 0; i < recent.latency().size(); i++) {
                if (recent.latency().get(i) > 0) {
                    latency.put(i, recent.latency().get(i));
                }
            }
            loads.add(new ContainerLoad(c.id().service(), c.id().version().toString(), c.state().name(),
                    c.inFlight(), round(c.callRate()), cpu == null ? 0 : round(cpu.seconds()),
                    cpu == null ? 0 : cpu.limit(), cpu == null ? 0 : cpu.allocatedBytes(), recent.calls(),
                    recent.failures(), latency));
            inFlight += c.inFlight();
            rate += c.callRate();
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        double cpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            cpu = os.getProcessCpuLoad();
        }
        return new NodeLoad(containers.nodeId(), System.currentTimeMillis(), inFlight, round(rate), round(cpu),
                round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()), heap.getUsed(),
                heap.getMax(), loads);
    }

    private static double round(double value) {
        return value < 0 ? -1 : Math.round(value * 100) / 100.0;
    }
}
