package dev.vessel.bench.faults;

import dev.vessel.router.CallOptions;
import dev.vessel.router.VesselClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fault benchmarks' callers: threads calling greeter through the public client until stopped (4 on one client
 * by default), half with plain calls and half with idempotent ones, counting calls and each kind's failures (each failure also goes to stderr).
 */
final class MixedLoad {
    final LongAdder calls = new LongAdder();
    final LongAdder failedPlain = new LongAdder();
    final LongAdder failedIdempotent = new LongAdder();
    final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    MixedLoad(VesselClient client) {
        this(List.of(client), 4, 0);
    }

    /**
     * {@code threadsPerClient} callers on each client, every other one with idempotent calls, each pausing
     * {@code pauseMillis} after every call (0: back to back).
     */
    MixedLoad(List<VesselClient> clients, int threadsPerClient, long pauseMillis) {
        for (int t = 0; t < clients.size() * threadsPerClient; t++) {
            boolean idempotent = t % 2 == 1;
            VesselClient client = clients.get(t / threadsPerClient);
            Thread thread = new Thread(() -> {
                CallOptions options = idempotent ? CallOptions.idempotentCall() : CallOptions.DEFAULT;
                while (running.get()) {
                    try {
                        client.call(options, "greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
                    } catch (RuntimeException e) {
                        (idempotent ? failedIdempotent : failedPlain).increment();
                        firstFailure.compareAndSet(null, e.toString());
                        System.err.println("failed: " + e);
                    }
                    calls.increment();
                    if (pauseMillis > 0) {
                        try {
                            Thread.sleep(pauseMillis); // pacing: many clients, each calling now and then
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "load-" + t);
            threads.add(thread);
            thread.start();
        }
    }

    long failed() {
        return failedPlain.sum() + failedIdempotent.sum();
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
