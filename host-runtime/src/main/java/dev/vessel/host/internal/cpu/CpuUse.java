package dev.vessel.host.internal.cpu;

/**
 * One container's CPU as its group sees it.
 *
 * @param share          the weight it has among its neighbours, in cores
 * @param limit          the cores it may use at most: its own limit, else (and at most) the node's cores less the
 *                       reserve
 * @param cpuNanos       CPU time its threads used, by the kernel's accounting or measured per thread
 * @param allocatedBytes bytes its threads allocated on the heap
 * @param throttled      periods in which the kernel held it at its limit (kernel isolation)
 * @param refused        calls refused because it was over its CPU budget (measured isolation)
 */
public record CpuUse(double share, double limit, long cpuNanos, long allocatedBytes, long throttled, long refused) {}
