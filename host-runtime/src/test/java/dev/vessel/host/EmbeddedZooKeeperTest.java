package dev.vessel.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.RegistryConnection;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperTest {
    @TempDir
    Path base;

    @Test
    void servesOnLoopbackAndRefusesATakenPortClearly() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(base.resolve("a"), port);
                RegistryConnection session = RegistryConnection.connect(zk.connectString())) {
            assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + port);
            assertThat(new ClusterReader(session).nodes()).isEmpty();

            assertThatThrownBy(() -> EmbeddedZooKeeper.start(base.resolve("b"), port))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + port + " on 127.0.0.1 is already in use");
        }
    }
}
