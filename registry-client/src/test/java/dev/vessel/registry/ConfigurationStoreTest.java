package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConfigurationStoreTest extends RegistryTestBase {
    private static final String PID = "dev.vessel.sample.configurable.greeting";

    @Test
    void revisionsAreNumberedImmutableAndRemembered() throws Exception {
        ConfigurationStore store = new ConfigurationStore(node);
        assertThat(store.read("greeter").revision()).isZero();
        assertThat(store.read("greeter").pids()).isEmpty();

        ConfigurationRevision first = store.write("greeter", 0, Map.of(PID, Map.of("salutation", "Welcome",
                "emphasis", 3)), "ada", "friendlier");
        ConfigurationRevision second = store.write("greeter", 1, Map.of(PID, Map.of("salutation", "Hi")), "grace",
                "shorter");
        assertThat(second.revision()).isEqualTo(2);
        assertThat(second.basedOn()).isEqualTo(1);

        ConfigurationStore elsewhere = new ConfigurationStore(reader);
        assertThat(elsewhere.read("greeter")).isEqualTo(second);
        assertThat(elsewhere.revision("greeter", 1).pids().get(PID)).containsEntry("salutation", "Welcome")
                .containsEntry("emphasis", 3);
        assertThat(elsewhere.history("greeter")).extracting(ConfigurationRevision::message)
                .containsExactly("friendlier", "shorter");
        assertThat(elsewhere.history("greeter")).extracting(ConfigurationRevision::author)
                .containsExactly("ada", "grace");

        // a revision's znode is written once: the first revision's data never changed while the second was made
        org.apache.zookeeper.data.Stat stat = reader.curator().checkExists()
                .forPath(reader.layout().configurationRevision("greeter", 1));
        assertThat(stat.getVersion()).isZero();
        assertThat(first.time()).isPositive();
    }

    @Test
    void aChangeMadeFromAnOlderRevisionIsAConflictAndWritesNothing() {
        ConfigurationStore store = new ConfigurationStore(node);
        store.write("greeter", 0, Map.of(PID, Map.of("salutation", "Welcome")), "ada", "one");
        store.write("greeter", 1, Map.of(PID, Map.of("salutation", "Hi")), "ada", "two");
        assertThatThrownBy(() -> store.write("greeter", 1, Map.of(PID, Map.of("salutation", "Yo")), "grace",
                "late")).isInstanceOf(ConfigurationConflictException.class).hasMessageContaining("at revision 2, not 1");
        assertThat(store.read("greeter").revision()).isEqualTo(2);
        assertThat(store.history("greeter")).hasSize(2);
    }

    @Test
    void ofTwoWritersRacingFromTheSameRevisionExactlyOneWins() throws Exception {
        ConfigurationStore store = new ConfigurationStore(node);
        store.write("greeter", 0, Map.of(PID, Map.of("salutation", "Welcome")), "ada", "one");
        for (int round = 0; round < 10; round++) {
            long from = store.read("greeter").revision();
            CountDownLatch go = new CountDownLatch(1);
            List<Object> outcomes = new CopyOnWriteArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (RegistryConnection session : List.of(node, reader)) {
                Thread writer = new Thread(() -> {
                    try {
                        go.await(10, TimeUnit.SECONDS);
                        outcomes.add(new ConfigurationStore(session).write("greeter", from, Map.of(PID,
                                Map.of("salutation", Thread.currentThread().getName())), "racer", "race"));
                    } catch (ConfigurationConflictException conflict) {
                        outcomes.add(conflict);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "writer-" + writers.size());
                writer.start();
                writers.add(writer);
            }
            go.countDown();
            for (Thread writer : writers) {
                writer.join();
            }
            assertThat(outcomes).hasSize(2);
            assertThat(outcomes).filteredOn(o -> o instanceof ConfigurationRevision).hasSize(1);
            assertThat(outcomes).filteredOn(o -> o instanceof ConfigurationConflictException).hasSize(1);
            assertThat(store.read("greeter").revision()).isEqualTo(from + 1);
        }
        assertThat(store.history("greeter")).hasSize(11);
    }

    @Test
    void aRollbackIsANewRevisionWithTheOldConfiguration() {
        ConfigurationStore store = new ConfigurationStore(node);
        store.write("greeter", 0, Map.of(PID, Map.of("salutation", "Welcome")), "ada", "one");
        store.write("greeter", 1, Map.of(PID, Map.of("salutation", "Hi"), "other.pid", Map.of("x", true)), "ada",
                "two");
        ConfigurationRevision back = store.rollback("greeter", 1, 2, "grace");
        assertThat(back.revision()).isEqualTo(3);
        assertThat(back.pids()).isEqualTo(store.revision("greeter", 1).pids());
        assertThat(back.message()).isEqualTo("rollback to revision 1");
        assertThat(store.history("greeter")).hasSize(3);
        assertThatThrownBy(() -> store.rollback("greeter", 9, 3, "grace")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no revision 9");
    }
}
