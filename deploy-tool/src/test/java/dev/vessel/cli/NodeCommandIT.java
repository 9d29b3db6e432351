package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.EmbeddedZooKeeper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vessel node} against an external ZooKeeper, with a release directory started at boot. */
class NodeCommandIT {
    @TempDir
    Path dir;

    @Test
    void aNodeStartsItsReleaseDirectoryRegistersAndLeavesOnASignal() throws Exception {
        Path release = Files.createDirectories(dir.resolve("greeter-1.1.0"));
        try (InputStream jar = NodeCommandIT.class.getClassLoader().getResourceAsStream("demo/greeter-1.1.0.jar")) {
            Files.copy(jar, release.resolve("greeter-1.1.0.jar"));
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), CliRunner.freePort())) {
            Process node = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", System.getProperty("vessel.jar", "target/vessel.jar"), "node", "--zk", zk.connectString(),
                    "--port", "0", "--name", "edge-1", "--zone", "z9", "--data", dir.resolve("data").toString(),
                    "--release", release.toString())
                    .redirectErrorStream(true)
                    .start();
            List<String> output = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8)).lines().forEach(output::add));
            reader.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> output.contains("Ctrl-C stops the node.")
                        || !node.isAlive());
                assertThat(output).as(String.join("\n", output)).contains("  greeter-1.1.0  ACTIVE");

                CliRunner call = CliRunner.run("call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)",
                        "--zk", zk.connectString());
                assertThat(call.out().trim()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
                CliRunner status = CliRunner.run("status", "--zk", zk.connectString());
                assertThat(status.out()).containsPattern("edge-1 +http://127\\.0\\.0\\.1:\\d+ +z9 +greeter +1\\.1\\.0"
                        + " +ACTIVE +yes");

                node.toHandle().destroy(); // SIGTERM, as a service manager stops it
                assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
                CliRunner after = CliRunner.run("status", "--zk", zk.connectString());
                assertThat(after.out()).contains("No nodes are registered");
            } finally {
                node.destroyForcibly();
            }
        }
    }

    @Test
    void aBadReleaseDirectoryIsRefusedBeforeAnythingStarts() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRunner run = CliRunner.run("node", "--zk", "127.0.0.1:1", "--release", empty.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains(empty + " holds no .jar files");
    }
}
