package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.jar;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.testing.FilesWithBytes;
import dev.vessel.registry.InstanceState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node starts a release from its artifact store without a copy of its jars in the containers' storage (Felix
 * reads the store's file in place: issue 27's 200 MiB release failed on nodes busy copying it), and the jar it
 * reads is the store's.
 */
class StoredJarsReadInPlaceTest extends SingleNodeTestBase {

    @Test
    void aStoredReleaseRunsFromTheStoresFileWithNoCopyOfIt() throws Exception {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        byte[] released = Files.readAllBytes(jar("greeter-1.0.0"));
        List<Path> stored = FilesWithBytes.under(data.resolve("artifacts"), released);
        assertThat(stored).as("the jar in the node's artifact store").hasSize(1);
        assertThat(FilesWithBytes.under(data.resolve("containers"), released))
                .as("copies in the containers' storage").isEmpty();
    }
}
