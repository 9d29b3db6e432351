package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whoever can write a node record must not collect the admin token from the CLI. */
class AdminTokenDestinationTest {
    @Test
    void theTokenIsNotSentToANodeOnlyTheRegistryNamesUnlessItIsThisMachine(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "a-token-nobody-may-collect-0123");
        String previous = System.getProperty("vessel.home");
        System.setProperty("vessel.home", dir.resolve("empty-home").toString());
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), CliRunner.freePort());
                RegistryConnection session = RegistryConnection.connect(zk.connectString());
                NodePresence rogue = NodePresence.publish(session, new NodeRecord("rogue", "192.0.2.10", 7070,
                        "default", Map.of(), 0, 0), 10_000)) {
            CliRunner run = CliRunner.run("retire", "greeter", "1.0.0", "--zk", zk.connectString(), "--token-file",
                    token.toString());
            assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(run.err()).contains("pass --server URL").contains("http://192.0.2.10:7070");
        } finally {
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }
}
