package dev.vessel.test;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.AdminException;
import dev.vessel.deploy.Rollout;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.router.VesselClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Vessel cluster in the test JVM: an embedded ZooKeeper on a free loopback port and nodes {@code node-1},
 * {@code node-2}, ... each reached through a relay of its own on a free loopback port (see {@link TestNode}), with a
 * data directory of its own under a temporary directory, all sharing one admin token. {@link VesselTest} makes one;
 * {@link #start} makes one by hand (close it).
 */
public final class VesselTestCluster implements AutoCloseable {
    /** The admin token every node of a test cluster has. */
    public static final String TOKEN = "vessel-test-kit-admin-token";
    /** How long {@link #deploy} waits for a release to be ACTIVE and registered everywhere. */
    public static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final int zooKeeperPort;
    private TestZooKeeper zooKeeper;
    private final List<TestNode> nodes = new ArrayList<>();
    private RegistryConnection registry;
    private VesselClient client;

    private VesselTestCluster(Path dir, int zooKeeperPort) {
        this.dir = dir;
        this.zooKeeperPort = zooKeeperPort;
    }

    /**
     * Starts a cluster of {@code nodes} nodes and returns once every node serves.
     *
     * @param name what the temporary directory is named after (the test class)
     */
    public static VesselTestCluster start(int nodes, String name) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a test cluster needs at least 1 node; got " + nodes);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("vessel-test-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a directory for the test cluster", e);
        }
        VesselTestCluster cluster = new VesselTestCluster(dir, freePort());
        try {
            cluster.zooKeeper = new TestZooKeeper(dir.resolve("zookeeper"), cluster.zooKeeperPort);
            for (int i = 1; i <= nodes; i++) {
                TestNode node = new TestNode("node-" + i, dir.resolve("node-" + i), cluster.zooKeeperPort);
                cluster.nodes.add(node);
                node.start();
            }
            cluster.registry = RegistryConnection.connect(cluster.zooKeeper.connectString());
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The ZooKeeper connect string ({@code 127.0.0.1:port}). */
    public String zkConnect() {
        return zooKeeper.connectString();
    }

    /** The cluster's ZooKeeper server, to restart it or expire a node's session. */
    public TestZooKeeper zooKeeper() {
        return zooKeeper;
    }

    /** Node {@code index}, from 0 ({@code node-1}). */
    public TestNode node(int index) {
        if (index < 0 || index >= nodes.size()) {
            throw new IndexOutOfBoundsException("the cluster has nodes 0-" + (nodes.size() - 1) + "; asked for "
                    + index);
        }
        return nodes.get(index);
    }

    public List<TestNode> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * Uploads the jars as one release of {@code service}, validates and deploys it at 100 % on every node through a
     * node's admin API, the way {@code vessel deploy} does, and returns once it is ACTIVE and registered on every
     * node.
     *
     * @throws VesselTestException with the node's reason when the release is refused, or why it did not come up
     */
    public ReleaseManifest deploy(String service, Path... jars) {
        TestNode via = nodes.stream().filter(TestNode::running).findFirst().orElseThrow(() ->
                new VesselTestException("no node of the cluster is running"));
        AdminClient admin = new AdminClient(via.url(), TOKEN);
        Rollout.Result result;
        try {
            result = new Rollout(admin, registry, (phase, convergence) -> { }).deploy(new Rollout.Request(
                    List.of(jars), service, 100, false, DeployedVersion.ALL_NODES, false, true, false,
                    DEPLOY_TIMEOUT, "vessel-test"));
        } catch (AdminException e) {
            throw new VesselTestException(via.id() + " refused the release: " + e.code() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VesselTestException("interrupted while deploying " + service, e);
        }
        if (!result.ok()) {
            throw new VesselTestException(service + " " + result.release().version() + " did not come up"
                    + (result.rolledBack() ? " and was rolled back" : "") + ": " + result.failures());
        }
        return result.release();
    }

    /** A client of the cluster, made on first use and closed with it. */
    public synchronized VesselClient client() {
        if (client == null) {
            client = VesselClient.connect(zkConnect());
        }
        return client;
    }

    /** Waits for what a test expects of the cluster, within a deadline. */
    public Await await() {
        return new Await(this);
    }

    /** Where the nodes' and ZooKeeper's data is: a temporary directory, deleted when the cluster closes. */
    public Path directory() {
        return dir;
    }

    /** The cluster's own registry session (for tests that read the registry). */
    public RegistryConnection registry() {
        return registry;
    }

    @Override
    public synchronized void close() {
        List<Exception> failures = new ArrayList<>();
        if (client != null) {
            run(failures, client::close);
        }
        if (registry != null) {
            run(failures, registry::close);
        }
        for (TestNode node : nodes) {
            run(failures, node::close);
        }
        if (zooKeeper != null) {
            run(failures, zooKeeper::close);
        }
        run(failures, this::deleteDirectory);
        if (!failures.isEmpty()) {
            VesselTestException failure = new VesselTestException("the test cluster did not close cleanly",
                    failures.get(0));
            failures.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void run(List<Exception> failures, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }

    private void deleteDirectory() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the test cluster's ZooKeeper", e);
        }
    }
}
