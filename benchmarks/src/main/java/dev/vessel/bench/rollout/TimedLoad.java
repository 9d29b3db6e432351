package dev.vessel.bench.rollout;

import dev.vessel.router.CallResult;
import dev.vessel.router.VesselClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The rollout benchmark's callers: threads calling one service through the public client until stopped, each call
 * recorded with when it ended, the version that answered and whether it failed, so that a run can say when the
 * canary's first bad call was, and when the last call reached it.
 */
final class TimedLoad {
    /** One call: when it ended (ms since the epoch), who answered (null when it failed), and why it failed. */
    record Call(long at, String version, String failure) {}

    final LongAdder calls = new LongAdder();
    private final ConcurrentLinkedQueue<Call> record = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param pauseMillis between one thread's calls: 0 calls without pause
     */
    TimedLoad(VesselClient client, String service, int threadCount, long pauseMillis) {
        for (int t = 0; t < threadCount; t++) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        CallResult result = client.call(service, "[1.0,2.0)", "greeter", "greet", "Ada");
                        record.add(new Call(System.currentTimeMillis(), result.version(), null));
                    } catch (RuntimeException e) {
                        record.add(new Call(System.currentTimeMillis(), null, e.toString()));
                    }
                    calls.increment();
                    if (pauseMillis > 0) {
                        try {
                            Thread.sleep(pauseMillis); // pacing the callers: a rate, not a synchronization
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "load-" + service + "-" + t);
            threads.add(thread);
            thread.start();
        }
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
    }

    List<Call> calls() {
        return List.copyOf(record);
    }

    long failed() {
        return record.stream().filter(c -> c.failure() != null).count();
    }
}
