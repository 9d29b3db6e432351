package dev.vessel.host.internal.cpu;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time and heap allocation of the threads of one thread group, summed since the group was first sampled and
 * kept when a thread ends (what a thread did between its last sample and its end is lost; samples are frequent).
 * The JVM counts both per thread, so this works on any platform.
 */
final class ThreadAccounting {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final ThreadGroup group;
    private Map<Long, long[]> last = new HashMap<>();
    private long cpuNanos;
    private long allocatedBytes;

    ThreadAccounting(ThreadGroup group) {
        this.group = group;
    }

    /** Samples every live thread of the group and returns the totals. */
    synchronized Totals sample(boolean allocations) {
        Thread[] live = new Thread[group.activeCount() + 16];
        int count = group.enumerate(live, true);
        Map<Long, long[]> seen = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            long id = live[i].getId();
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu < 0) {
                continue; // ended meanwhile
            }
            long[] previous = last.get(id);
            long allocated = allocations ? THREADS.getThreadAllocatedBytes(id) : previous == null ? 0 : previous[1];
            cpuNanos += Math.max(0, cpu - (previous == null ? 0 : previous[0]));
            if (allocations && allocated >= 0) {
                allocatedBytes += Math.max(0, allocated - (previous == null ? 0 : previous[1]));
            }
            seen.put(id, new long[] {cpu, Math.max(0, allocated)});
        }
        last = seen;
        return new Totals(cpuNanos, allocatedBytes);
    }

    record Totals(long cpuNanos, long allocatedBytes) {}
}
