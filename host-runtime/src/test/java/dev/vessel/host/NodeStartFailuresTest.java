package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.config;
import static dev.vessel.host.NodeTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.NodeRecord;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** A node that cannot start says why, and leaves nothing behind: no record, no thread holding a port. */
class NodeStartFailuresTest extends SingleNodeTestBase {
    @Test
    void aPortInUseIsNamedAndTheNodeOnItIsUntouched() throws Exception {
        assertThatThrownBy(() -> VesselNode.start(config(zk.getConnectString(), data.resolve("second"))
                .nodeId("n2").port(node.port()).build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot serve HTTP on 127.0.0.1:" + node.port() + ": ");
        assertThat(new ClusterReader(reader).nodes()).extracting(NodeRecord::id).containsExactly("n1");
        assertThat(get(node, "/v1/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aDataDirectoryThatCannotBeMadeIsNamed() throws Exception {
        java.nio.file.Path file = Files.writeString(data.resolve("not-a-directory"), "x");
        assertThatThrownBy(() -> VesselNode.start(config(zk.getConnectString(), file).nodeId("n2").build()))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessage("cannot create data directory " + file);
        assertThat(new ClusterReader(reader).nodes()).extracting(NodeRecord::id).containsExactly("n1");
    }
}
