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
