package dev.vessel.host.internal.cpu;

import dev.vessel.host.ContainerId;
import dev.vessel.host.CpuIsolationMode;

/** A process that makes a node's CPU groups, says so, and waits to be killed (KernelCpuIsolationTest). */
public final class CgroupChild {
    static final String READY = "groups made";

    private CgroupChild() {}

    public static void main(String[] args) throws InterruptedException {
        CpuIsolation isolation = CpuIsolation.start(CpuIsolationMode.KERNEL, args[0], 0.25);
        isolation.open(ContainerId.of("burner", "1.0.0"), CpuRequest.DEFAULT, new ThreadGroup("burner"));
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // until killed
    }
}
