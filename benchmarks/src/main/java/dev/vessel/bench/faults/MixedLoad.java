package dev.vessel.bench.faults;

import dev.vessel.router.CallOptions;
import dev.vessel.router.VesselClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fault benchmarks' callers: 4 threads calling greeter through the public client until stopped, 2 with plain
 * calls and 2 with idempotent ones, counting calls and each kind's failures (each failure also goes to stderr).
 */
final class MixedLoad {
    final LongAdder calls = new LongAdder();
    final LongAdder failedPlain = new LongAdder();
    final LongAdder failedIdempotent = new LongAdder();
    final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    MixedLoad(VesselClient client) {
        for (int t = 0; t < 4; t++) {
            boolean idempotent = t % 2 == 1;
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
