package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

    @Test
    void withZkNamingAnotherClusterNeitherItsTokenNorTheRecordedOneGoesToTheRecordedClustersNode(@TempDir Path dir)
            throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "the-other-clusters-token-0123456");
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer recordedNode = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        recordedNode.createContext("/", exchange -> {
            received.add(exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        recordedNode.start();
        String previous = System.getProperty("vessel.home");
        Path home = dir.resolve("home");
        System.setProperty("vessel.home", home.toString());
        try (EmbeddedZooKeeper recorded = EmbeddedZooKeeper.start(dir.resolve("zk-recorded"), CliRunner.freePort());
                EmbeddedZooKeeper other = EmbeddedZooKeeper.start(dir.resolve("zk-other"), CliRunner.freePort())) {
            VesselHome.resolve().writeCluster(new VesselHome.ClusterInfo(recorded.connectString(), "/vessel",
                    List.of(new VesselHome.NodeAddress("node-1", "http://127.0.0.1:"
                            + recordedNode.getAddress().getPort())), ProcessHandle.current().pid(),
                    System.currentTimeMillis(), "the-recorded-clusters-token-0123", null, null, false));
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(home)))
                    .as("the home holds the token: its owner's alone").isEqualTo("rwx------");

            CliRunner given = CliRunner.run("retire", "greeter", "1.0.0", "--zk", other.connectString(),
                    "--token-file", token.toString());
            assertThat(given.exitCode()).as(given.err()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(given.err()).contains("no node is registered");

            CliRunner none = CliRunner.run("retire", "greeter", "1.0.0", "--zk", other.connectString());
            assertThat(none.exitCode()).as(none.err()).isEqualTo(ExitCode.UNAUTHORIZED);
            assertThat(none.err()).contains("no admin token for this cluster");

            assertThat(received).as("requests that reached the recorded cluster's node").isEmpty();
        } finally {
            recordedNode.stop(0);
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }
}
