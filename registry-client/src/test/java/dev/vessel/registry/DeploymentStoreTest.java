package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DeploymentStoreTest extends RegistryTestBase {
    private static final DeployedVersion V1 = new DeployedVersion("1.0.0", 100, "*");
    private static final DeployedVersion V2 = new DeployedVersion("1.1.0", 100, "*");

    @Test
    void revisionsGrowAndHistoryRemembersThem() {
        DeploymentStore store = new DeploymentStore(node);
        assertThat(store.read("greeter").revision()).isZero();
        store.update("greeter", 0, d -> d.next(List.of(V1), "deploy 1.0.0", "ada"));
        Deployment second = store.update("greeter", 1, d -> d.next(List.of(V1, V2), "deploy 1.1.0", "ada"));
        assertThat(second.revision()).isEqualTo(2);
        Deployment read = new DeploymentStore(reader).read("greeter");
        assertThat(read).isEqualTo(second);
        assertThat(read.history()).extracting(DeploymentRevision::action).containsExactly("deploy 1.0.0", "deploy 1.1.0");
        assertThat(read.revision(1)).hasValueSatisfying(r -> assertThat(r.versions()).containsExactly(V1));
        assertThat(store.services()).containsExactly("greeter");
    }

    @Test
    void aChangeDecidedOnAnOlderRevisionIsAConflictAndWritesNothing() {
        DeploymentStore store = new DeploymentStore(node);
        store.update("greeter", 0, d -> d.next(List.of(V1), "deploy 1.0.0", "ada"));
        store.update("greeter", 1, d -> d.next(List.of(V1, V2), "deploy 1.1.0", "ada"));
        assertThatThrownBy(() -> store.update("greeter", 1, d -> d.next(List.of(V2), "deploy by grace", "grace")))
                .isInstanceOf(DeploymentConflictException.class)
                .hasMessageContaining("at revision 2, not 1");
        assertThat(store.read("greeter").revision()).isEqualTo(2);
    }

    @Test
    void twoWritersRacingOnTheSameRevisionNeverLoseAnUpdate() throws Exception {
        DeploymentStore a = new DeploymentStore(node);
        DeploymentStore b = new DeploymentStore(reader);
        a.update("greeter", 0, d -> d.next(List.of(V1), "deploy 1.0.0", "ada"));
        CountDownLatch bothRead = new CountDownLatch(2);
        AtomicReference<Throwable> loser = new AtomicReference<>();
        Runnable racer = () -> {
            try {
                (Thread.currentThread().getName().equals("a") ? a : b).update("greeter", -1, d -> {
                    bothRead.countDown();
                    try {
                        bothRead.await(10, TimeUnit.SECONDS); // both decided on the same state
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return d.next(List.of(V1, V2), "deploy by " + Thread.currentThread().getName(),
                            Thread.currentThread().getName());
                });
            } catch (DeploymentConflictException e) {
                loser.set(e);
            }
        };
        Thread ta = new Thread(racer, "a");
        Thread tb = new Thread(racer, "b");
        ta.start();
        tb.start();
        ta.join();
        tb.join();
        assertThat(loser.get()).isInstanceOf(DeploymentConflictException.class)
                .hasMessageContaining("changed while this change was being written");
        Deployment result = a.read("greeter");
        assertThat(result.revision()).isEqualTo(2);
        assertThat(result.history()).hasSize(2);
    }

    @Test
    void theWatchDeliversEveryServicesDesiredState() {
        AtomicReference<Map<String, Deployment>> seen = new AtomicReference<>();
        new DeploymentStore(node).update("billing", 0, d -> d.next(List.of(V1), "deploy", "ada"));
        try (DeploymentWatch watch = DeploymentWatch.start(reader, seen::set)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.get()).containsOnlyKeys("billing"));
            new DeploymentStore(node).update("greeter", 0, d -> d.next(List.of(V2), "deploy", "ada"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.get())
                    .containsOnlyKeys("billing", "greeter"));
            assertThat(watch.current().get("greeter").versions()).containsExactly(V2);
        }
    }

    @Test
    void nodeSelectorsMatchIdsAndLabels() {
        NodeRecord n = new NodeRecord("n7", "127.0.0.1", 1, "z", Map.of("tier", "edge"), 0, 0);
        assertThat(new DeployedVersion("1.0.0", 100, "*").selects(n)).isTrue();
        assertThat(new DeployedVersion("1.0.0", 100, "n1,n7").selects(n)).isTrue();
        assertThat(new DeployedVersion("1.0.0", 100, "tier=edge").selects(n)).isTrue();
        assertThat(new DeployedVersion("1.0.0", 100, "tier=core,n2").selects(n)).isFalse();
        assertThatThrownBy(() -> new DeployedVersion("1.0.0", 0, "*")).hasMessageContaining("weight must be 1-100");
    }

    @Test
    void aReleaseVersionNamesOneContentForever() {
        ReleaseStore releases = new ReleaseStore(node);
        BundleRef bundle = new BundleRef("g", "1.0.0", "a".repeat(64), 10, "g.jar",
                new ChunkList(4, List.of("a".repeat(64), "b".repeat(64), "c".repeat(64))));
        ReleaseManifest manifest = new ReleaseManifest("greeter", "1.0.0", "g", List.of(bundle), List.of("greeter"),
                "", false, "ada", 1L);
        assertThat(releases.create(manifest)).isTrue();
        assertThat(releases.create(manifest)).isFalse();
        ReleaseManifest other = new ReleaseManifest("greeter", "1.0.0", "g",
                List.of(new BundleRef("g", "1.0.0", "b".repeat(64), 10, "g.jar", null)), List.of("greeter"), "", false,
                "grace", 2L);
        assertThatThrownBy(() -> releases.create(other)).hasMessageContaining("already exists with other bundles");
        assertThat(new ReleaseStore(reader).list("greeter")).containsExactly(manifest);
    }
}
