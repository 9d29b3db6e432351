package dev.vessel.host.internal.cpu;

import dev.vessel.host.ContainerId;
import dev.vessel.host.CpuIsolationMode;
import java.io.Closeable;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node keeps its containers' CPU use apart: the kernel's control groups where the machine lets it
 * ({@link KernelCpuIsolation}), else admission by measured CPU ({@link MeasuredCpuIsolation}), or nothing at all
 * when told so. A node has one, made at start; each container opens a {@link CpuGroup} from it.
 */
public interface CpuIsolation extends Closeable {
    Logger LOG = LoggerFactory.getLogger(CpuIsolation.class);

    /** {@code cgroup-v1}, {@code measured} or {@code none}: what {@code vessel status} shows. */
    String mechanism();

    /** Why this mechanism: what was asked and what the machine offered. */
    String reason();

    /** The cores all containers together may use: the node's cores less its reserve. */
    double capacity();

    /**
     * A group for container {@code id}, whose threads are those of {@code threads}; {@code demand} is how many
     * of its calls are running or waiting (a container starved of CPU still has demand, though it uses little).
     *
     * @throws IllegalStateException if the kernel refuses to make it (the container then fails to start)
     */
    CpuGroup open(ContainerId id, CpuRequest request, ThreadGroup threads, IntSupplier demand);

    /** {@link #open(ContainerId, CpuRequest, ThreadGroup, IntSupplier)} for a container whose demand is unknown. */
    default CpuGroup open(ContainerId id, CpuRequest request, ThreadGroup threads) {
        return open(id, request, threads, () -> 0);
    }

    @Override
    void close();

    /** No isolation, CPU measured only: for containers that must not have a group (a validation's dry run). */
    static CpuIsolation unisolated() {
        return new NoCpuIsolation(Runtime.getRuntime().availableProcessors(), "none asked for");
    }

    /**
     * The isolation {@code mode} asks for on this machine, for node {@code nodeId}, keeping {@code reserve} cores
     * for the node itself.
     *
     * @throws IllegalStateException for {@link CpuIsolationMode#KERNEL} on a machine that cannot give it
     */
    static CpuIsolation start(CpuIsolationMode mode, String nodeId, double reserve) {
        int cores = Runtime.getRuntime().availableProcessors();
        double capacity = Math.max(0.1, cores - reserve);
        CpuIsolation chosen = switch (mode) {
            case OFF -> new NoCpuIsolation(capacity, "turned off (cpu isolation: off)");
            case MEASURED -> new MeasuredCpuIsolation(capacity, "asked for (cpu isolation: measured)");
            case KERNEL -> KernelCpuIsolation.start(nodeId, capacity).orElseThrow(reason ->
                    new IllegalStateException("cpu isolation 'kernel' was asked for, but " + reason));
            case AUTO -> KernelCpuIsolation.start(nodeId, capacity).orElseGet(reason ->
                    new MeasuredCpuIsolation(capacity, "the kernel cannot be used: " + reason));
        };
        LOG.info("node {}: CPU isolation {} ({}); containers share {} of {} cores", nodeId, chosen.mechanism(),
                chosen.reason(), String.format(java.util.Locale.ROOT, "%.2f", capacity), cores);
        return chosen;
    }
}
