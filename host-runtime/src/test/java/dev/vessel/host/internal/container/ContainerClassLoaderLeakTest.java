package dev.vessel.host.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.registry.InstanceState;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.vessel.host.internal.exec.Bulkhead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopped container must not stay reachable: anything global that cached one of its classes (a shared Jackson
 * type cache, a static method cache, a thread-local) would pin its whole framework, and repeated deploys would
 * grow metaspace.
 */
class ContainerClassLoaderLeakTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storage;

    @Test
    void aStoppedContainersClassLoadersCanBeCollected() throws Exception {
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            loaders.add(runAndStop(storage.resolve("round-" + round)));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            System.gc();
            assertThat(loaders).allSatisfy(ref -> assertThat(ref.get()).isNull());
        });
    }

    private static WeakReference<ClassLoader> runAndStop(Path dir) throws Exception {
        Release release = ReleaseReader.read(List.of(Path.of(System.getProperty("vessel.test.releases"),
                "greeter-2.0.0.jar")));
        Container container = new Container(release.id(), dir, new Container.Settings("org.slf4j;version=2.0.0",
                Duration.ofSeconds(10), Duration.ofSeconds(10), Container.Registration.NONE,
                new Container.Placement("n1", "default", "127.0.0.1", 1)), c -> { });
        container.start(release, 100, new Bulkhead.Limits(2, 2));
        assertThat(container.state()).isEqualTo(InstanceState.ACTIVE);
        // exercise argument binding and result serialization, which fill Jackson's caches with release classes
        CompletableFuture<String> answer = new CompletableFuture<>();
        assertThat(container.submit(() -> {
            try {
                answer.complete(new String(container.call("greeter", "greet", JSON.readTree("[\"Ada\", \"de\"]"))));
            } catch (Exception e) {
                answer.completeExceptionally(e);
            }
        })).isEqualTo(Container.Admission.ADMITTED);
        assertThat(answer.get(10, TimeUnit.SECONDS)).contains("Hallo, Ada!");
        ClassLoader loader = container.endpointImplementation("greeter").getClassLoader();
        assertThat(loader.getClass().getName()).startsWith("org.apache.felix.framework");
        container.stop(Duration.ZERO, Duration.ofSeconds(1));
        assertThat(container.state()).isEqualTo(InstanceState.STOPPED);
        return new WeakReference<>(loader);
    }
}
