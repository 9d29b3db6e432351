package dev.vessel.host.internal.cpu;

import java.io.Closeable;

/**
 * The CPU of one container: where its threads are placed, what it may use, what it used. Threads the container's
 * threads start belong to it too (the kernel places a new thread in its creator's group, Java in its creator's
 * thread group).
 */
public interface CpuGroup extends Closeable {
    /** Places the calling thread in this group; a container's threads call it once, when they start. */
    void placeCurrentThread();

    /** Applies a new share and limit (a deployment changed) to the group as it runs. */
    void apply(CpuRequest request);

    /** Whether a new call may start: false while the container is over its CPU budget (measured isolation only). */
    boolean admits();

    /** What the container was given and has used since its group was opened. */
    CpuUse use();

    /** Ends the group: threads still in it (a release's leftovers) go back to the node's own group. */
    @Override
    void close();
}
