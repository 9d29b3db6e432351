package dev.vessel.registry;

import static dev.vessel.registry.RegistryTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InstanceWatchTest extends RegistryTestBase {

    @Test
    void instancesRegisteredBeforeTheWatchStartsAreInTheFirstList() {
        InstanceRegistry registry = new InstanceRegistry(node);
        registry.register(record("n1", "greeter", "1.0.0", 7070));
        registry.register(record("n2", "greeter", "1.1.0", 7071));

        AtomicReference<List<InstanceRecord>> seen = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        try (InstanceWatch watch = InstanceWatch.start(reader, "greeter", list -> {
            seen.set(list);
            calls.incrementAndGet();
        })) {
            assertThat(calls.get()).isGreaterThanOrEqualTo(1);
            assertThat(seen.get()).extracting(InstanceRecord::version).containsExactly("1.0.0", "1.1.0");
            assertThat(watch.instances()).isEqualTo(seen.get());
        }
    }

    @Test
    void everyChangeDeliversTheCompleteCurrentList() {
        InstanceRegistry registry = new InstanceRegistry(node);
        AtomicReference<List<InstanceRecord>> seen = new AtomicReference<>();
        try (InstanceWatch watch = InstanceWatch.start(reader, "greeter", seen::set)) {
            assertThat(seen.get()).isEmpty();

            InstanceRecord a = record("n1", "greeter", "1.0.0", 7070);
            registry.register(a);
            registry.register(record("n1", "greeter", "2.0.0", 7070));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.get())
                    .extracting(InstanceRecord::id)
                    .containsExactly("n1.greeter-1.0.0", "n1.greeter-2.0.0"));

            registry.unregister(a);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.get())
                    .extracting(InstanceRecord::id)
                    .containsExactly("n1.greeter-2.0.0"));
        }
    }

    /**
     * A rollout changes many instances at once: the watch hands over the complete list at most once per
     * {@link InstanceWatch#COALESCE} while changes keep arriving, ending with all of them, instead of once per change.
     */
    @Test
    void aBurstOfChangesIsHandedOverCoalescedAndEndsComplete() throws Exception {
        InstanceRegistry registry = new InstanceRegistry(node);
        AtomicReference<List<InstanceRecord>> seen = new AtomicReference<>();
        AtomicInteger handOvers = new AtomicInteger();
        List<Long> times = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (InstanceWatch watch = InstanceWatch.start(reader, "greeter", list -> {
            seen.set(list);
            handOvers.incrementAndGet();
            times.add(System.nanoTime());
        })) {
            int burst = 300;
            java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<?>> writes = new java.util.ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    InstanceRecord record = record("n" + i, "greeter", "1.0.0", 7070);
                    writes.add(writers.submit(() -> registry.register(record)));
                }
                for (java.util.concurrent.Future<?> write : writes) {
                    write.get();
                }
            } finally {
                writers.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(seen.get()).hasSize(burst));
            int afterStart = handOvers.get() - 1;
            assertThat(afterStart).as("hand-overs for %d changes", burst).isPositive().isLessThan(burst / 3);
            // the first change is handed over at once, every later one at least COALESCE after the one before
            long spread = times.get(times.size() - 1) - times.get(1);
            assertThat(afterStart - 1L).as("hand-overs after the first change, in %d ms", spread / 1_000_000)
                    .isLessThanOrEqualTo(spread / InstanceWatch.COALESCE.toNanos() + 1);
        }
    }

    /** An instance that leaves and comes back with the same record (a restarted container) stays in the list. */
    @Test
    void anInstanceReplacedByAnEqualRecordStaysListed() {
        InstanceRegistry registry = new InstanceRegistry(node);
        InstanceRecord stays = record("n1", "greeter", "1.0.0", 7070);
        InstanceRecord other = record("n2", "greeter", "1.0.0", 7071);
        registry.register(other);
        AtomicReference<List<InstanceRecord>> seen = new AtomicReference<>();
        try (InstanceWatch watch = InstanceWatch.start(reader, "greeter", seen::set)) {
            for (int i = 0; i < 20; i++) {
                registry.register(stays);
                registry.unregister(stays);
            }
            registry.register(stays);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.get())
                    .containsExactly(stays, other));
            registry.unregister(other);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.get())
                    .containsExactly(stays));
        }
    }

    @Test
    void instancesOfAClosedSessionDisappearFromTheWatch() {
        new InstanceRegistry(node).register(record("n1", "greeter", "1.0.0", 7070));
        AtomicReference<List<InstanceRecord>> seen = new AtomicReference<>();
        try (InstanceWatch watch = InstanceWatch.start(reader, "greeter", seen::set)) {
            assertThat(seen.get()).hasSize(1);
            node.close(); // the node process goes away: its ephemeral registrations go with its session
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.get()).isEmpty());
        }
    }
}
