package dev.vessel.host.internal.cpu;

import dev.vessel.host.ContainerId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * CPU isolation where the kernel cannot help (no writable cgroup hierarchy, not root): every 100 ms each
 * container's CPU time is measured from its own threads (the JVM counts it per thread), smoothed over about half a
 * second, and a container over its budget has new calls refused at once ({@code OVERLOADED}, retry elsewhere)
 * until it is back under. Its budget is its limit when it has one; and while the machine's cores are all busy,
 * its part of the node's capacity by share among the containers that want CPU (that use some, or have calls
 * running or waiting: a starved container uses little but still waits). Calls already running
 * are never stopped: admission only works on calls that keep coming, which is what a service under load gets.
 */
final class MeasuredCpuIsolation implements CpuIsolation {
    static final long TICK_MILLIS = 100;
    /** Weight of the newest tick in the smoothed rate: about five ticks of memory. */
    private static final double SMOOTHING = 0.2;
    /** The containers together use the capacity once they use this much of it. */
    private static final double SATURATED = 0.9;
    /** A container using less than this (cores) is not busy and takes no part of the capacity. */
    private static final double BUSY = 0.05;

    private static final com.sun.management.OperatingSystemMXBean MACHINE =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();

    private final double capacity;
    private final String reason;
    private final List<MeasuredGroup> groups = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService ticker;

    MeasuredCpuIsolation(double capacity, String reason) {
        this.capacity = capacity;
        this.reason = reason;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-cpu-budget");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public String mechanism() {
        return "measured";
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public double capacity() {
        return capacity;
    }

    @Override
    public CpuGroup open(ContainerId id, CpuRequest request, ThreadGroup threads, IntSupplier demand) {
        MeasuredGroup group = new MeasuredGroup(new ThreadAccounting(threads), request, demand);
        groups.add(group);
        return group;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        groups.clear();
    }

    /** One measurement of every container, and each one's budget from it. */
    void tick() {
        try {
            long now = System.nanoTime();
            double total = 0;
            for (MeasuredGroup group : groups) {
                total += group.measure(now);
            }
            // the machine is saturated when its cores are all busy, whoever uses them: the containers, or other
            // processes (then the containers together get less than their capacity and must share what they get)
            boolean saturated = total >= SATURATED * capacity || MACHINE.getCpuLoad() >= SATURATED;
            double busyShares = 0;
            for (MeasuredGroup group : groups) {
                if (group.busy()) {
                    busyShares += group.request.effectiveShare();
                }
            }
            for (MeasuredGroup group : groups) {
                double budget = group.request.limit() > 0 ? Math.min(group.request.limit(), capacity) : capacity;
                if (saturated && busyShares > 0) {
                    budget = Math.min(budget, capacity * group.request.effectiveShare() / busyShares);
                }
                // over at 5 % above the budget, back under at the budget: no flapping at the edge
                group.over = group.over ? group.rate > budget : group.rate > budget * 1.05;
            }
        } catch (RuntimeException e) {
            LOG.warn("CPU budget tick failed; next tick retries", e);
        }
    }

    /** One container's measured group. */
    private final class MeasuredGroup implements CpuGroup {
        private final ThreadAccounting accounting;
        private final LongAdder refused = new LongAdder();
        private volatile CpuRequest request;
        /** Smoothed cores used; only the ticker writes it. */
        private volatile double rate;
        private volatile boolean over;
        private long lastNanos = -1;
        private long lastCpu;

        private final IntSupplier demand;

        MeasuredGroup(ThreadAccounting accounting, CpuRequest request, IntSupplier demand) {
            this.accounting = accounting;
            this.request = request;
            this.demand = demand;
        }

        /** Wants CPU: uses some, or has calls waiting for it (a starved container uses little). */
        boolean busy() {
            return rate >= BUSY || demand.getAsInt() > 0;
        }

        /** Samples the group's threads and returns its smoothed rate (cores). */
        double measure(long now) {
            long cpu = accounting.sample(false).cpuNanos();
            if (lastNanos >= 0 && now > lastNanos) {
                double instant = (double) (cpu - lastCpu) / (now - lastNanos);
                rate = rate + SMOOTHING * (instant - rate);
            }
            lastNanos = now;
            lastCpu = cpu;
            return rate;
        }

        @Override
        public void placeCurrentThread() {
            // threads are found through the container's thread group
        }

        @Override
        public void apply(CpuRequest next) {
            request = next;
        }

        @Override
        public boolean admits() {
            if (over) {
                refused.increment();
                return false;
            }
            return true;
        }

        @Override
        public CpuUse use() {
            ThreadAccounting.Totals totals = accounting.sample(true);
            CpuRequest current = request;
            return new CpuUse(current.effectiveShare(), current.limit() > 0 ? Math.min(current.limit(), capacity)
                    : capacity,
                    totals.cpuNanos(), totals.allocatedBytes(), 0, refused.sum());
        }

        @Override
        public void close() {
            groups.remove(this);
        }
    }
}
