package dev.vessel.host.internal.cpu;

import dev.vessel.host.ContainerId;
import java.util.function.IntSupplier;

/** No isolation: containers compete for the cores as threads do; their use is still measured and shown. */
final class NoCpuIsolation implements CpuIsolation {
    private final double capacity;
    private final String reason;

    NoCpuIsolation(double capacity, String reason) {
        this.capacity = capacity;
        this.reason = reason;
    }

    @Override
    public String mechanism() {
        return "none";
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
        ThreadAccounting accounting = new ThreadAccounting(threads);
        return new CpuGroup() {
            private volatile CpuRequest current = request;

            @Override
            public void placeCurrentThread() {
                // nothing to place
            }

            @Override
            public void apply(CpuRequest next) {
                current = next;
            }

            @Override
            public boolean admits() {
                return true;
            }

            @Override
            public CpuUse use() {
                ThreadAccounting.Totals totals = accounting.sample(true);
                return new CpuUse(current.effectiveShare(), current.limit() > 0 ? current.limit() : capacity,
                        totals.cpuNanos(), totals.allocatedBytes(), 0, 0);
            }

            @Override
            public void close() {
                // nothing was made
            }
        };
    }

    @Override
    public void close() {
        // nothing was made
    }
}
