package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node keeps on disk (data, the registry's data, its private key) only its owner may read, whatever the umask. */
class OwnerOnlyFilesTest {
    @TempDir
    Path dir;

    @Test
    void dataDirectoriesAndKeyStoresAreOwnerOnly() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                VesselNode node = VesselNode.start(config(zk.getConnectString(), dir.resolve("node")).build())) {
            assertThat(permissions(dir.resolve("node"))).isEqualTo("rwx------");
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), freePort())) {
            assertThat(permissions(dir.resolve("zookeeper"))).isEqualTo("rwx------");
        }
        SelfSignedTls.Files tls = SelfSignedTls.generate(dir.resolve("tls"), List.of());
        assertThat(permissions(dir.resolve("tls"))).isEqualTo("rwx------");
        assertThat(permissions(tls.keyStore())).as("the node's private key").isEqualTo("rw-------");
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
