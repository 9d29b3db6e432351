package dev.vessel.itest;

import static org.awaitility.Awaitility.await;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test kit: a node in a process of its own, so a test can kill it with SIGKILL the way an operator's kill -9 or
 * a machine failure would. Prints {@code READY <port>} once its releases are ACTIVE, then waits to be killed.
 *
 * <p>Arguments: ZooKeeper connect string, data directory, node id, sample release names.
 */
public final class NodeProcess {
    private NodeProcess() {}

    /** A started node process and the port it serves on. */
    public record Launched(Process process, int port) {}

    /**
     * Starts a node process (this test JVM's java and class path) and returns once it printed {@code READY}.
     *
     * @throws AssertionError with the process's output if it ended before it was ready
     */
    public static Launched launch(String zkConnect, Path dataDir, String nodeId, String... releases)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dvessel.itest.bundles=" + System.getProperty("vessel.itest.bundles"),
                NodeProcess.class.getName(), zkConnect, dataDir.toString(), nodeId));
        command.addAll(List.of(releases));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("READY ")) {
                return new Launched(process, Integer.parseInt(line.substring("READY ".length()).trim()));
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the node process ended before it was ready:\n" + seen);
    }

    public static void main(String[] args) throws Exception {
        VesselNode node = nodeRunning(args[0], Path.of(args[1]), args[2],
                java.util.Arrays.copyOfRange(args, 3, args.length));
        System.out.println("READY " + node.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    /**
     * A node that runs the named sample releases as its own (outside the registry's desired state), once each is
     * ACTIVE; fails unless each becomes so.
     */
    private static VesselNode nodeRunning(String zk, Path dataDir, String id, String... releases) {
        NodeConfig.Builder config = NodeConfig.builder(zk, dataDir.resolve(id)).nodeId(id).port(0)
                .adminToken(SampleReleases.TOKEN);
        for (String release : releases) {
            config.localRelease(SampleReleases.release(release));
        }
        VesselNode node = VesselNode.start(config.build());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> node.containers().size() == releases.length
                    && node.containers().stream().allMatch(c -> c.state() != InstanceState.PENDING
                    && c.state() != InstanceState.FETCHING && c.state() != InstanceState.STARTING));
            for (ContainerInfo info : node.containers()) {
                if (info.state() != InstanceState.ACTIVE) {
                    throw new AssertionError(info.id() + " on " + id + " is " + info.state() + ": " + info.error());
                }
            }
            // a container is ACTIVE a moment before its instance record is written: wait for the records too
            try (RegistryConnection session = RegistryConnection.connect(zk)) {
                ClusterReader cluster = new ClusterReader(session);
                await().atMost(Duration.ofSeconds(30)).until(() -> node.containers().stream().allMatch(c -> cluster
                        .instances(c.service()).stream()
                        .anyMatch(i -> i.id().equals(id + "." + c.id()) && i.port() == node.port())));
            }
            return node;
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
    }

}
