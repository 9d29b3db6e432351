package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vessel up --demo} as a user runs it: the executable jar in its own process. Health answers UP only once
 * the cluster is recorded and the demo runs, so a script that waits for it can use the cluster at once. A
 * termination signal (what Ctrl-C and a service manager send) stops every node and ZooKeeper, leaves no process
 * behind, frees the ports and removes the cluster record.
 */
class UpCommandIT {
    @TempDir
    Path home;

    @Test
    void upRunsAClusterTheOtherVerbsFindAndASignalStopsItCleanly() throws Exception {
        int zkPort = CliRunner.freePorts(2);
        ProcessBuilder command = new ProcessBuilder(javaBinary(), "-jar", jar().toString(), "up", "--demo", "--nodes",
                "2", "--port", "0", "--zk-port", Integer.toString(zkPort)).redirectErrorStream(true);
        command.environment().put("VESSEL_HOME", home.toString());
        Process up = command.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(up.getInputStream(),
                    StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            // as a script does: wait for the first node's health, then use the cluster at once
            await().atMost(Duration.ofSeconds(90)).until(() -> output.stream().anyMatch(l -> l.startsWith(
                    "Node       node-1  ")) || !up.isAlive());
            assertThat(up.isAlive()).as(String.join("\n", output)).isTrue();
            URI first = URI.create(output.stream().filter(l -> l.startsWith("Node       node-1  ")).findFirst()
                    .orElseThrow().substring("Node       node-1  ".length()).trim());
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(first.resolve("/v1/health")).build();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> {
                try {
                    HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 503);
                    assertThat(answer.body()).contains(answer.statusCode() == 200 ? "\"UP\"" : "\"STARTING\"");
                    return answer.statusCode() == 200;
                } catch (java.io.IOException notListening) {
                    return false;
                }
            });
            JsonNode cluster = new ObjectMapper().readTree(home.resolve("cluster.json").toFile());
            System.setProperty("vessel.home", home.toString());
            try {
                CliRunner call = CliRunner.run("call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)");
                assertThat(call.exitCode()).as(call.err()).isEqualTo(0);
                assertThat(call.out().trim()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
                CliRunner status = CliRunner.run("status", "--json");
                assertThat(new ObjectMapper().readTree(status.out()).path("nodes")).hasSize(2);
            } finally {
                System.clearProperty("vessel.home");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> output.contains("Vessel is up. Ctrl-C stops everything."));
            launcherMakesItsArchiveOnFirstUseAndUsesItAfter();

            // two nodes run the quorum themselves, a member each on consecutive ports
            String members = "127.0.0.1:" + zkPort + ",127.0.0.1:" + (zkPort + 1);
            assertThat(output).contains("ZooKeeper  " + members);
            // a quorum that forms logs elections and refused connections: in the home's log file, not on the console
            assertThat(output).contains("Forming a ZooKeeper quorum of 2 members: its elections and member changes"
                    + " are expected and logged in " + home.resolve(UpCommand.ZOOKEEPER_LOG));
            assertThat(output).noneMatch(line -> line.matches(".*\\b(o\\.a\\.z|o\\.a\\.c|org\\.apache)\\..*")
                    || line.startsWith("\tat "));
            assertThat(home.resolve(UpCommand.ZOOKEEPER_LOG)).isRegularFile();
            assertThat(cluster.path("zk").asText()).isEqualTo(members);
            assertThat(cluster.path("nodes")).hasSize(2);
            List<URI> nodeUrls = List.of(URI.create(cluster.path("nodes").get(0).path("url").asText()),
                    URI.create(cluster.path("nodes").get(1).path("url").asText()));

            // SIGTERM through the handle (Process.destroy would also close our end of its output): the same
            // shutdown path as the SIGINT of Ctrl-C
            up.toHandle().destroy();
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("vessel up exits after the signal").isTrue();
            reader.join(10_000);
            assertThat(output).as("exit code %d", up.exitValue()).contains("Vessel stopped: 2 node(s) and ZooKeeper.");
            assertThat(up.descendants().filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(Files.exists(home.resolve("cluster.json"))).isFalse();
            assertPortFree(zkPort);
            for (URI url : nodeUrls) {
                assertPortFree(url.getPort());
            }
        } finally {
            up.destroyForcibly();
        }
    }

    /**
     * {@code ./vessel up} runs its ZooKeeper and nodes in one JVM, started with {@code ExitOnOutOfMemoryError}: a
     * release that exhausts the heap ends that JVM, and the launcher starts it again on the same home, token, ports
     * and data, where the node converges on what the registry says it runs. A signal to the launcher still stops
     * everything.
     */
    @Test
    void upStartsItsClusterAgainAfterAnOutOfMemoryErrorEndedIt() throws Exception {
        int port = CliRunner.freePorts(2);
        ProcessBuilder command = new ProcessBuilder(Path.of("..", "vessel").toString(), "up", "--port",
                Integer.toString(port), "--zk-port", Integer.toString(port + 1)).redirectErrorStream(true);
        command.environment().put("VESSEL_HOME", home.toString());
        command.environment().put("VESSEL_HEAP", "192m");
        Process up = command.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(up.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(output::add));
        reader.setDaemon(true);
        reader.start();
        URI node = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newHttpClient();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> healthy(http, node) || !up.isAlive());
            assertThat(output).as(String.join("\n", output))
                    .anyMatch(line -> line.startsWith("Heap up to ") && line.contains("ends the process"));
            Path hostile = Files.createDirectories(home.resolve("hostile-release")).resolve("hostile.jar");
            try (var jar = UpCommandIT.class.getClassLoader().getResourceAsStream("fixtures/hostile/hostile.jar")) {
                Files.copy(jar, hostile);
            }
            System.setProperty("vessel.home", home.toString());
            try {
                CliRunner deployed = CliRunner.run("deploy", hostile.toString());
                assertThat(deployed.exitCode()).as(deployed.err()).isEqualTo(ExitCode.OK);
            } finally {
                System.clearProperty("vessel.home");
            }
            try {
                http.send(HttpRequest.newBuilder(node.resolve("/v1/call/hostile/1.0.0/hostile/exhaustHeap"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException connectionEnded) {
                // the JVM ended under the call
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> output.stream().anyMatch(line -> line.contains(
                    "ran out of memory and ended; starting it again")));
            assertThat(output).anyMatch(line -> line.contains("Terminating due to java.lang.OutOfMemoryError"));
            // the same cluster again: the node serves on its port and runs what the registry says, the release too
            await().atMost(Duration.ofSeconds(90)).until(() -> healthy(http, node));
            await().atMost(Duration.ofSeconds(30)).until(() -> http.send(HttpRequest.newBuilder(
                    node.resolve("/v1/call/hostile/1.0.0/hostile/ping")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.ofString())
                    .body().equals("\"pong\""));
            assertThat(up.isAlive()).isTrue();

            List<ProcessHandle> jvms = up.descendants().toList();
            assertThat(jvms).as("the launcher's JVM").isNotEmpty();
            up.toHandle().destroy(); // SIGTERM to the launcher, which hands it to the JVM
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits after the signal").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> jvms.stream().noneMatch(ProcessHandle::isAlive));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertPortFree(port));
        } finally {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
    }

    private static boolean healthy(HttpClient http, URI node) {
        try {
            return http.send(HttpRequest.newBuilder(node.resolve("/v1/health")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException | InterruptedException notYet) {
            return false;
        }
    }

    /**
     * The repository's ./vessel launcher: --version makes no class-data sharing archive, the first run of a verb
     * that reaches the cluster makes one for that verb, the next uses it, a rebuilt jar gets new ones; none prints
     * anything of it.
     */
    private void launcherMakesItsArchiveOnFirstUseAndUsesItAfter() throws Exception {
        for (Path old : archives()) {
            Files.delete(old);
        }
        assertThat(launch("--version")).startsWith("vessel");
        assertThat(archives()).as("--version loads too little to archive").isEmpty();
        String first = launch("status");
        assertThat(archives()).hasSize(1);
        long made = Files.getLastModifiedTime(archives().get(0)).toMillis();
        String second = launch("status");
        for (String shown : List.of(first, second)) {
            // two nodes, each with the demo's three versions
            assertThat(shown.lines().filter(l -> l.startsWith("node-") && l.contains("ACTIVE"))).hasSize(6);
        }
        assertThat(first + second).doesNotContainIgnoringCase("cds").doesNotContainIgnoringCase("warning");
        assertThat(archives()).hasSize(1);
        assertThat(Files.getLastModifiedTime(archives().get(0)).toMillis()).as("used, not made again")
                .isEqualTo(made);
        // another verb loads other classes: it gets an archive of its own, and the first one stays
        assertThat(launch("releases")).contains("greeter");
        assertThat(archives()).extracting(p -> p.getFileName().toString().replaceFirst("^vessel-cli-", ""))
                .containsExactlyInAnyOrder("status.jsa", "releases.jsa");
        // archives older than the jar belong to an earlier build: not used, and gone when the next one is made
        FileTime built = Files.getLastModifiedTime(jar());
        for (Path archive : archives()) {
            Files.setLastModifiedTime(archive, FileTime.fromMillis(built.toMillis() - 60_000));
        }
        assertThat(launch("status").lines().filter(l -> l.startsWith("node-") && l.contains("ACTIVE"))).hasSize(6);
        assertThat(archives()).singleElement().satisfies(archive -> {
            assertThat(archive.getFileName().toString()).isEqualTo("vessel-cli-status.jsa");
            assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(built);
        });
        try (java.util.stream.Stream<Path> files = Files.list(Path.of("target"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("no class list or half-made archive left behind")
                    .noneMatch(name -> name.startsWith("vessel-cli-") && !name.endsWith(".jsa"));
        }
    }

    private static List<Path> archives() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("vessel-cli-")).toList();
        }
    }

    private String launch(String verb) throws Exception {
        ProcessBuilder command = new ProcessBuilder(Path.of("..", "vessel").toString(), verb)
                .redirectErrorStream(true);
        command.environment().put("VESSEL_HOME", home.toString());
        Process process = command.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static void assertPortFree(int port) throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        }
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("vessel.jar", "target/vessel.jar"));
        assertThat(jar).as("the shaded jar is built in the package phase").exists();
        return jar;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
