package dev.vessel.itest;

import dev.vessel.router.CallResult;
import dev.vessel.router.VersionRanges;
import dev.vessel.router.VesselClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * Test kit: client threads calling {@code greeter.version()} through a router without pause until stopped,
 * each with its own version range, recording every failure and every answer outside the caller's range.
 * Bounded: it runs only between {@link #start()} and {@link #stop()}, against loopback nodes.
 */
public final class SteadyLoad {
    private final VesselClient client;
    private final String service;
    private final List<String> ranges;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final LongAdder calls = new LongAdder();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    /** When each failure happened (ms since the epoch), in the order of {@link #failures}. */
    private final List<Long> failedAt = new CopyOnWriteArrayList<>();
    private final Map<String, LongAdder> answeredBy = new ConcurrentHashMap<>();

    public SteadyLoad(VesselClient client, String... ranges) {
        this(client, "greeter", List.of(ranges));
    }

    private SteadyLoad(VesselClient client, String service, List<String> ranges) {
        this.client = client;
        this.service = service;
        this.ranges = ranges;
    }

    /** Load on {@code service}, a greeter release deployed under another name. */
    public static SteadyLoad on(VesselClient client, String service, String... ranges) {
        return new SteadyLoad(client, service, List.of(ranges));
    }

    public void start() {
        running.set(true);
        for (String range : ranges) {
            Thread thread = new Thread(() -> run(VersionRanges.parse(range)), "load " + range);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(VersionRange range) {
        while (running.get()) {
            try {
                CallResult result = client.call(service, range, "greeter", "version");
                calls.increment();
                String version = result.text();
                answeredBy.computeIfAbsent(range + " -> " + version, k -> new LongAdder()).increment();
                if (!range.includes(Version.parseVersion(version)) || !version.equals(result.version())) {
                    fail("range " + range + " answered by " + version + " (header " + result.version() + ")");
                }
            } catch (RuntimeException e) {
                calls.increment();
                fail("range " + range + ": " + e);
            }
        }
    }

    private synchronized void fail(String failure) {
        failedAt.add(System.currentTimeMillis());
        failures.add(failure);
    }

    /** The failures that happened after {@code millis} (since the epoch). */
    public synchronized List<String> failuresAfter(long millis) {
        List<String> after = new ArrayList<>();
        for (int i = 0; i < failures.size(); i++) {
            if (failedAt.get(i) > millis) {
                after.add(failures.get(i));
            }
        }
        return after;
    }

    public void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    public long calls() {
        return calls.sum();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** "range -> version" to how many calls it answered. */
    public Map<String, Long> answeredBy() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        answeredBy.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }
}
