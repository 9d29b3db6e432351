package dev.vessel.registry;

/**
 * One container's CPU: what its deployment gave it and what it used since it started.
 *
 * @param share          its weight among the node's containers when the cores are all busy, in cores (1.0 unless
 *                       its deployment gave another)
 * @param limit          the cores it may use at most: its deployment's limit, else the node's cores less its reserve
 * @param seconds        CPU seconds its threads used (the kernel's accounting where the node isolates by cgroup)
 * @param allocatedBytes bytes its threads allocated on the heap
 * @param throttled      periods in which the kernel held it at its limit
 * @param refused        calls refused because it was over its CPU budget (where the node isolates by measuring)
 */
public record ContainerCpu(double share, double limit, double seconds, long allocatedBytes, long throttled,
        long refused) {}
