package dev.vessel.host.internal.exec;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Execution resources of one kind of work (a container's calls, admin requests, artifact reads): at most {@code maxConcurrency} run at once and at most
 * {@code maxQueued} wait; anything past that is refused at once, never queued without bound. Its threads belong
 * to the owner's thread group and end after a short idle time, so an idle bulkhead holds none.
 *
 * <p>The limits can change while calls run (a deployment's {@code maxConcurrency} changed live).
 */
public final class Bulkhead {
    private static final long IDLE_SECONDS = 30;

    private final ThreadPoolExecutor executor;
    /** Calls admitted and not yet finished: running plus queued. */
    private final AtomicInteger admitted = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private volatile Limits limits;

    /** How many calls may run at once and how many may wait. */
    public record Limits(int maxConcurrency, int maxQueued) {
        public Limits {
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1; got " + maxConcurrency);
            }
            if (maxQueued < 0) {
                throw new IllegalArgumentException("maxQueued cannot be negative; got " + maxQueued);
            }
        }
    }

    public Bulkhead(ThreadGroup group, String name, Limits limits) {
        this(group, name, limits, () -> { });
    }

    /**
     * Like {@link #Bulkhead(ThreadGroup, String, Limits)}; each of its threads runs {@code onThreadStart} once, first
     * (a container's threads place themselves in its CPU group so), never per call.
     */
    public Bulkhead(ThreadGroup group, String name, Limits limits, Runnable onThreadStart) {
        this.limits = limits;
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(1, limits.maxConcurrency(), IDLE_SECONDS,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                    Runnable worker = () -> {
                        onThreadStart.run();
                        task.run();
                    };
                    Thread thread = new Thread(group, worker, name + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code task} on this bulkhead's threads, or returns false at once when as many calls as the limits allow
     * are already running and waiting (or the bulkhead is shut down).
     */
    public boolean trySubmit(Runnable task) {
        Limits current = limits;
        int now = admitted.incrementAndGet();
        if (now > current.maxConcurrency() + current.maxQueued()) {
            admitted.decrementAndGet();
            refused.increment();
            return false;
        }
        growTo(Math.min(now, current.maxConcurrency()));
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    admitted.decrementAndGet();
                }
            });
            return true;
        } catch (RuntimeException rejected) { // shut down
            admitted.decrementAndGet();
            refused.increment();
            return false;
        }
    }

    /**
     * Raises the pool's core size to {@code wanted} threads. A pool whose core size is its maximum starts a new
     * thread for each of its first {@code maxConcurrency} tasks, idle threads or not; growing the core only as far
     * as calls have actually been admitted at once keeps a container that serves 4 callers at about 4 threads.
     */
    private void growTo(int wanted) {
        if (wanted > executor.getCorePoolSize()) {
            synchronized (executor) { // against resize: the core size may never pass the maximum
                int bounded = Math.min(wanted, executor.getMaximumPoolSize());
                if (bounded > executor.getCorePoolSize()) {
                    executor.setCorePoolSize(bounded);
                }
            }
        }
    }

    public void resize(Limits next) {
        Limits previous = limits;
        limits = next;
        synchronized (executor) {
            if (next.maxConcurrency() > previous.maxConcurrency()) {
                executor.setMaximumPoolSize(next.maxConcurrency());
            } else if (next.maxConcurrency() < previous.maxConcurrency()) {
                executor.setCorePoolSize(Math.min(executor.getCorePoolSize(), next.maxConcurrency()));
                executor.setMaximumPoolSize(next.maxConcurrency());
            }
        }
    }

    public Limits limits() {
        return limits;
    }

    /** Tasks admitted and not yet finished: running plus waiting. */
    public int inFlight() {
        return admitted.get();
    }

    /** Calls refused because the bulkhead was full, since it was made. */
    public long refused() {
        return refused.sum();
    }

    /** Takes no more calls; those already admitted still run (and answer), then the threads end. */
    public void shutdown() {
        executor.shutdown();
    }
}
