package dev.vessel.host.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.internal.cpu.CpuIsolation;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.host.testing.FilesWithBytes;
import dev.vessel.registry.InstanceState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container reads its release's jars where the artifact store keeps them: copying each into Felix's cache was
 * seconds of disk I/O per node for a release of hundreds of MiB, on every node at the same moment, and counted
 * against the release's ready timeout (issue 27: two of twelve nodes failed a 200 MiB release that way).
 */
class ReleaseInPlaceTest {
    @TempDir
    Path storage;

    @Test
    void aStoredJarIsReadInPlaceAndNotCopiedIntoTheFrameworkCache() throws Exception {
        assertThat(copiesAfterStarting(jar -> true)).as("copies of the release's jar in the framework's storage")
                .isEmpty();
    }

    /** A local release's jar (`vessel node --release DIR`) is copied: its owner may rebuild it while it runs. */
    @Test
    void aJarTheNodeDoesNotOwnIsCopied() throws Exception {
        assertThat(copiesAfterStarting(jar -> false)).hasSize(1);
    }

    private List<Path> copiesAfterStarting(Predicate<Path> readInPlace) throws Exception {
        Path jar = Path.of(System.getProperty("vessel.test.releases"), "greeter-2.0.0.jar");
        Release release = ReleaseReader.read(List.of(jar));
        Container container = new Container(release.id(), storage, new Container.Settings("org.slf4j;version=2.0.0",
                Duration.ofSeconds(10), Duration.ofSeconds(10), Container.Registration.NONE,
                new Container.Placement("n1", "default", "127.0.0.1", 1), Container.ConfigurationSource.NONE,
                CpuIsolation.unisolated(), readInPlace), c -> { });
        try {
            container.start(release, 100, new Bulkhead.Limits(2, 2));
            assertThat(container.state()).isEqualTo(InstanceState.ACTIVE);
            assertThat(container.endpointImplementation("greeter")).isNotNull(); // its classes load from the jar
            return FilesWithBytes.under(storage, Files.readAllBytes(jar));
        } finally {
            container.stop(Duration.ZERO, Duration.ofSeconds(5));
        }
    }
}
