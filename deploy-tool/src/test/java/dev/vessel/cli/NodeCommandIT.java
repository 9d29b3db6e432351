package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.EmbeddedZooKeeper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
                assertThat(call.out().trim()).as(call.err()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
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

    /** Starts {@code vessel node} with greeter 1.1.0 and waits until it serves; its output lines go to {@code output}. */
    private Process startNode(String zk, Path release, String name, List<String> output, String... more)
            throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-jar", System.getProperty("vessel.jar", "target/vessel.jar"), "node", "--zk", zk,
                "--port", "0", "--name", name, "--data", dir.resolve(name).toString(), "--release", release.toString()));
        command.addAll(List.of(more));
        Process node = start(command, Map.of(), output, Duration.ofSeconds(60));
        assertThat(output).as(String.join("\n", output)).contains("  greeter-1.1.0  ACTIVE");
        return node;
    }

    /** The {@code vessel/<pid>} group a node process made in the cpu hierarchy, from where the process now is. */
    private static Path processGroup(long pid) throws Exception {
        String mount = Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(line -> line.split(" "))
                .filter(f -> f[2].equals("cgroup") && List.of(f[3].split(",")).contains("cpu")).map(f -> f[1])
                .findFirst().orElseThrow();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] fields = line.split(":", 3);
            if (List.of(fields[1].split(",")).contains("cpu")) {
                String host = "/vessel/" + pid + "/host";
                assertThat(fields[2]).as("the node process is in its host group").endsWith(host);
                return Path.of(mount + fields[2].substring(0, fields[2].length() - host.length()), "vessel",
                        Long.toString(pid));
            }
        }
        throw new AssertionError("no cpu line in /proc/" + pid + "/cgroup");
    }

    @Test
    void aNodeKilledWithSigkillLeavesItsCpuGroupsAndTheNodeStartedAfterItRemovesThem() throws Exception {
        Path release = Files.createDirectories(dir.resolve("greeter-1.1.0"));
        try (InputStream jar = NodeCommandIT.class.getClassLoader().getResourceAsStream("demo/greeter-1.1.0.jar")) {
            Files.copy(jar, release.resolve("greeter-1.1.0.jar"));
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), CliRunner.freePort())) {
            List<String> first = new CopyOnWriteArrayList<>();
            Process killed = startNode(zk.connectString(), release, "edge-2", first);
            Process restarted = null;
            try {
                org.junit.jupiter.api.Assumptions.assumeTrue(first.stream().anyMatch(l -> l.startsWith(
                        "CPU isolation cgroup-v1")), () -> "the kernel's groups are not usable here: " + first);
                Path groups = processGroup(killed.pid());
                assertThat(groups.resolve("n-edge-2").resolve("greeter-1.1.0")).isDirectory();

                killed.destroyForcibly(); // SIGKILL: the node closes nothing
                assertThat(killed.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(groups.resolve("n-edge-2").resolve("greeter-1.1.0")).as("left behind by SIGKILL")
                        .isDirectory();

                List<String> second = new CopyOnWriteArrayList<>();
                restarted = startNode(zk.connectString(), release, "edge-2", second);
                assertThat(groups).as("the killed process's groups, after the next node started").doesNotExist();
                Path own = processGroup(restarted.pid());
                assertThat(own.resolve("n-edge-2").resolve("greeter-1.1.0")).isDirectory();

                restarted.toHandle().destroy(); // SIGTERM: the node closes, and its groups go with it
                assertThat(restarted.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(own).doesNotExist();
            } finally {
                killed.destroyForcibly();
                if (restarted != null) {
                    restarted.destroyForcibly();
                }
            }
        }
    }

    @Test
    void aNodeWithTheTokenClosesTheRegistryToStrangersUnlessToldItIsSomeoneElses() throws Exception {
        Path release = Files.createDirectories(dir.resolve("greeter-1.1.0"));
        try (InputStream jar = NodeCommandIT.class.getClassLoader().getResourceAsStream("demo/greeter-1.1.0.jar")) {
            Files.copy(jar, release.resolve("greeter-1.1.0.jar"));
        }
        Path token = Files.writeString(dir.resolve("token"), "node-command-it-token-0123456789");
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), CliRunner.freePort())) {
            List<String> output = new CopyOnWriteArrayList<>();
            Process node = startNode(zk.connectString(), release, "secured", output, "--token-file",
                    token.toString());
            try {
                assertThat(output).noneMatch(line -> line.startsWith("WARNING"));
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.vessel.registry.RegistryConnection
                        .connect(zk.connectString())).isInstanceOf(
                                dev.vessel.registry.RegistryAccessDeniedException.class);
                try (org.apache.curator.framework.CuratorFramework stranger = org.apache.curator.framework
                        .CuratorFrameworkFactory.newClient(zk.connectString(),
                                new org.apache.curator.retry.RetryOneTime(100))) {
                    stranger.start();
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.create().forPath("/anything"))
                            .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
                }
            } finally {
                node.destroy();
                node.waitFor(60, TimeUnit.SECONDS);
            }
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk-open"), CliRunner.freePort())) {
            List<String> output = new CopyOnWriteArrayList<>();
            Process node = startNode(zk.connectString(), release, "open", output, "--token-file", token.toString(),
                    "--unsecured-registry");
            try {
                assertThat(output).anyMatch(line -> line.startsWith("WARNING: the registry is open to anyone"));
                try (dev.vessel.registry.RegistryConnection stranger = dev.vessel.registry.RegistryConnection
                        .connect(zk.connectString())) {
                    assertThat(new dev.vessel.registry.ClusterReader(stranger).nodes()).hasSize(1);
                }
            } finally {
                node.destroy();
                node.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A token given on standard input: the node runs with it, and neither its command line nor its environment
     * (what a release in the process can read from /proc/self) holds it or a path to it.
     */
    @Test
    void aTokenReadFromStandardInputIsNamedNowhereAReleaseCouldLook() throws Exception {
        Path release = Files.createDirectories(dir.resolve("greeter-1.1.0"));
        try (InputStream jar = NodeCommandIT.class.getClassLoader().getResourceAsStream("demo/greeter-1.1.0.jar")) {
            Files.copy(jar, release.resolve("greeter-1.1.0.jar"));
        }
        String token = "stdin-token-0123456789abcdef";
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), CliRunner.freePort())) {
            Process node = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", System.getProperty("vessel.jar", "target/vessel.jar"), "node", "--zk", zk.connectString(),
                    "--port", "0", "--name", "stdin", "--data", dir.resolve("stdin").toString(), "--token-file", "-",
                    "--release", release.toString()).redirectErrorStream(true).start();
            node.getOutputStream().write((token + "\n").getBytes(StandardCharsets.UTF_8));
            node.getOutputStream().close();
            List<String> output = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8)).lines().forEach(output::add));
            reader.setDaemon(true);
            reader.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> output.contains("Ctrl-C stops the node.")
                        || !node.isAlive());
                assertThat(output).as(String.join("\n", output)).contains("  greeter-1.1.0  ACTIVE");
                java.net.URI url = java.net.URI.create(output.stream().filter(l -> l.startsWith("Node stdin serving on "))
                        .findFirst().orElseThrow().replaceFirst("Node stdin serving on (\\S+).*", "$1"));
                assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                url.resolve("/v1/admin/cluster/status")).header("Authorization", "Bearer " + token).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
                String cmdline = Files.readString(Path.of("/proc", Long.toString(node.pid()), "cmdline"));
                String environ = Files.readString(Path.of("/proc", Long.toString(node.pid()), "environ"));
                assertThat(cmdline).doesNotContain(token).contains("--token-file\0-\0");
                assertThat(environ).doesNotContain(token);
            } finally {
                node.destroy();
                node.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A release that exhausts the heap and catches the error (as careless code does) would leave a half-dead node
     * behind: started by the launcher, the node process ends at once, says why, and exits with status 3 for its
     * supervisor to restart it.
     */
    @Test
    void anOutOfMemoryErrorInAReleaseEndsTheNodeProcessAtOnce() throws Exception {
        Path release = Files.createDirectories(dir.resolve("hostile"));
        try (InputStream jar = NodeCommandIT.class.getClassLoader().getResourceAsStream("fixtures/hostile/hostile.jar")) {
            Files.copy(jar, release.resolve("hostile.jar"));
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), CliRunner.freePort())) {
            Launched launched = launchNode(zk, "oom", Map.of("VESSEL_HEAP", "128m"), "--release", release.toString());
            Process node = launched.process();
            List<String> output = launched.output();
            try {
                assertThat(output).as(String.join("\n", output)).contains("  hostile-1.0.0  ACTIVE")
                        .anyMatch(line -> line.startsWith("Heap up to ") && line.contains("ends the process"));
                java.net.URI url = java.net.URI.create(output.stream().filter(l -> l.startsWith("Node oom serving on "))
                        .findFirst().orElseThrow().replaceFirst("Node oom serving on (\\S+).*", "$1"));
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                try {
                    java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
                                    url.resolve("/v1/call/hostile/1.0.0/hostile/exhaustHeap"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("[]")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.body()).as("no answer from a process that ran out of memory")
                            .doesNotContain("survived");
                } catch (java.io.IOException connectionEnded) {
                    // the process ended under the call, which is the point
                }
                assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("the node process ended").isTrue();
                assertThat(node.exitValue()).as(String.join("\n", output)).isEqualTo(3);
                await().atMost(Duration.ofSeconds(5)).until(() -> output.stream().anyMatch(line -> line.contains(
                        "Terminating due to java.lang.OutOfMemoryError")));
            } finally {
                node.destroyForcibly();
            }
        }
    }

    /**
     * The launcher gives the node's JVM a class-data sharing archive (a restarted node serves about a second
     * sooner): none at first, written as the first node of a build stops on SIGTERM, mapped by the next start.
     */
    @Test
    void theLauncherWritesTheNodesClassDataArchiveAtItsFirstStopAndUsesItAfter() throws Exception {
        for (Path old : nodeArchives()) {
            Files.delete(old);
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), CliRunner.freePort())) {
            Process first = launchNode(zk, "first", Map.of()).serving();
            first.destroy(); // SIGTERM to the launcher, which passes it on
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(nodeArchives()).as("written as the first node stopped").hasSize(1);
            long made = Files.getLastModifiedTime(nodeArchives().get(0)).toMillis();

            String archive = "-XX:SharedArchiveFile=" + nodeArchives().get(0).toAbsolutePath().normalize();
            Process second = launchNode(zk, "second", Map.of()).serving();
            try {
                assertThat(second.info().arguments().orElseThrow()).as("the launcher execs the JVM with the archive")
                        .contains(archive)
                        .as("and with the flags that hand an idle node's unused heap back")
                        .contains("-XX:G1PeriodicGCInterval=15000", "-XX:MaxHeapFreeRatio=30");
            } finally {
                second.destroy();
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.getLastModifiedTime(nodeArchives().get(0)).toMillis()).as("used, not made again")
                    .isEqualTo(made);
        }
    }

    /** A node process started by the repository's launcher, and what it printed so far. */
    private record Launched(Process process, List<String> output) {
        /** The process, once it is serving and has said nothing of class-data sharing. */
        Process serving() {
            assertThat(process.isAlive()).as(String.join("\n", output)).isTrue();
            assertThat(String.join("\n", output)).doesNotContainIgnoringCase("cds");
            return process;
        }
    }

    /** {@code ./vessel node} on {@code zk}, returned once it says it serves (or has ended). */
    private Launched launchNode(EmbeddedZooKeeper zk, String name, Map<String, String> environment,
            String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of("..", "vessel").toString(), "node", "--zk",
                zk.connectString(), "--port", "0", "--name", name, "--data", dir.resolve(name).toString()));
        command.addAll(List.of(arguments));
        Map<String, String> withHome = new java.util.HashMap<>(environment);
        withHome.put("VESSEL_HOME", dir.resolve("home").toString());
        List<String> output = new CopyOnWriteArrayList<>();
        return new Launched(start(command, withHome, output, Duration.ofSeconds(90)), output);
    }

    /**
     * Starts a node process whose output lines go to {@code output}, and returns it once it says it serves (or has
     * ended), waiting at most {@code wait}.
     */
    private static Process start(List<String> command, Map<String, String> environment, List<String> output,
            Duration wait) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process node = builder.start();
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(node.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(output::add));
        reader.setDaemon(true);
        reader.start();
        await().atMost(wait).until(() -> output.contains("Ctrl-C stops the node.") || !node.isAlive());
        return node;
    }

    private static List<Path> nodeArchives() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("vessel-run-.*\\.jsa")).toList();
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
