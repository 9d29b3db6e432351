package dev.vessel.host.internal.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** Threads of one thread group that compute until stopped, each placing itself in a CPU group first. */
final class Spinners implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch placed;

    Spinners(ThreadGroup group, CpuGroup cpu, int count) throws InterruptedException {
        placed = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(group, () -> {
                cpu.placeCurrentThread();
                placed.countDown();
                double x = 1.0001;
                while (running.get()) {
                    x = x * 1.0000001 + 1e-9;
                }
                if (x < 0) {
                    throw new AssertionError(x);
                }
            }, "spinner-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        placed.await();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
