package dev.vessel.test;

import static java.util.Objects.requireNonNull;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.AdminException;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.NodeConfig;
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
import java.util.function.Consumer;
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
    /** Whether {@link #dir} was made by the cluster (and goes with it) or given by the test. */
    private final boolean ownsDirectory;
    /** The test's own ZooKeeper (see {@link Builder#zooKeeper}), else null: the cluster runs {@link #zooKeeper}. */
    private final String outsideZooKeeper;
    private final Consumer<NodeConfig.Builder> configure;
    private final boolean relays;
    private TestZooKeeper zooKeeper;
    private final List<TestNode> nodes = new ArrayList<>();
    private RegistryConnection registry;
    private VesselClient client;

    private VesselTestCluster(Builder builder, Path dir) {
        this.dir = dir;
        this.ownsDirectory = builder.directory == null;
        this.outsideZooKeeper = builder.outsideZooKeeper;
        this.configure = builder.configure;
        this.relays = builder.relays && builder.outsideZooKeeper == null;
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
        return builder().nodes(nodes).name(name).start();
    }

    /** A cluster with more than a node count to choose: node settings, its directory, relays. */
    public static Builder builder() {
        return new Builder();
    }

    /** What a {@link VesselTestCluster} is made of; {@link #start} makes it. */
    public static final class Builder {
        private int nodes = 1;
        private String name = "cluster";
        private Path directory;
        private Consumer<NodeConfig.Builder> configure = config -> { };
        private boolean relays = true;
        private String outsideZooKeeper;

        private Builder() {}

        /** How many nodes start with the cluster ({@code node-1} ...); 0 for a test that adds its own. */
        public Builder nodes(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("a node count cannot be negative; got " + count);
            }
            this.nodes = count;
            return this;
        }

        /** What the temporary directory is named after (the test class). */
        public Builder name(String clusterName) {
            this.name = requireNonNull(clusterName, "name cannot be null");
            return this;
        }

        /**
         * Where ZooKeeper's and the nodes' data go ({@code zookeeper/}, {@code <node id>/}) instead of a temporary
         * directory: the test's, left in place when the cluster closes.
         */
        public Builder directory(Path dataDirectory) {
            this.directory = requireNonNull(dataDirectory, "directory cannot be null");
            return this;
        }

        /**
         * Settings for every node, applied after the kit's own (id, data directory, loopback port, admin token,
         * a 100 ms drain delay) each time a node starts.
         */
        public Builder configure(Consumer<NodeConfig.Builder> nodeSettings) {
            this.configure = requireNonNull(nodeSettings, "configure cannot be null");
            return this;
        }

        /**
         * Nodes reached directly, with no relay in between: for measurements, where a relay would add its own cost.
         * Such nodes cannot be frozen, and a restarted one serves on a new port.
         */
        public Builder withoutRelays() {
            this.relays = false;
            return this;
        }

        /**
         * Nodes on a ZooKeeper the test runs itself (a Curator {@code TestingCluster} whose leader it kills, say)
         * instead of the kit's embedded server: the cluster neither starts nor stops it,
         * {@link VesselTestCluster#zooKeeper()} is not available, and nodes are reached without relays (a relay fronts
         * one server), as with {@link #withoutRelays()}.
         */
        public Builder zooKeeper(String connectString) {
            requireNonNull(connectString, "connectString cannot be null");
            if (connectString.isBlank()) {
                throw new IllegalArgumentException("a ZooKeeper connect string names at least one host:port");
            }
            this.outsideZooKeeper = connectString;
            return this;
        }

        /** Starts ZooKeeper (unless the test runs its own) and the nodes, and returns once every node serves. */
        public VesselTestCluster start() {
            Path dir;
            try {
                dir = directory != null ? Files.createDirectories(directory)
                        : Files.createTempDirectory("vessel-test-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a directory for the test cluster", e);
            }
            VesselTestCluster cluster = new VesselTestCluster(this, dir);
            try {
                if (outsideZooKeeper == null) {
                    cluster.zooKeeper = new TestZooKeeper(dir.resolve("zookeeper"), freePort());
                }
                for (int i = 1; i <= nodes; i++) {
                    cluster.addNode("node-" + i, config -> { });
                }
                cluster.registry = RegistryConnection.connect(cluster.zkConnect());
                return cluster;
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
        }
    }

    /**
     * Starts one more node, with the cluster's node settings and then {@code customize}'s, and returns once it
     * serves; it closes with the cluster.
     *
     * @throws IllegalArgumentException if the cluster has a node {@code id} already
     */
    public synchronized TestNode addNode(String id, Consumer<NodeConfig.Builder> customize) {
        requireNonNull(customize, "customize cannot be null");
        if (nodes.stream().anyMatch(node -> node.id().equals(id))) {
            throw new IllegalArgumentException("the cluster has a node " + id + " already");
        }
        TestNode node = new TestNode(id, dir.resolve(id), zkConnect(), configure.andThen(customize), relays);
        nodes.add(node);
        node.start();
        return node;
    }

    /** The node named {@code id}. */
    public synchronized TestNode node(String id) {
        return nodes.stream().filter(node -> node.id().equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("the cluster has no node " + id + "; it has "
                        + nodes.stream().map(TestNode::id).toList()));
    }

    /** An admin client of the first running node, with the cluster's token (the API {@code vessel} uses). */
    public AdminClient admin() {
        return new AdminClient(firstRunning().url(), TOKEN);
    }

    private synchronized TestNode firstRunning() {
        return nodes.stream().filter(TestNode::running).findFirst().orElseThrow(() ->
                new VesselTestException("no node of the cluster is running"));
    }

    /** The ZooKeeper connect string ({@code 127.0.0.1:port}, or the test's own). */
    public String zkConnect() {
        return outsideZooKeeper != null ? outsideZooKeeper : zooKeeper.connectString();
    }

    /**
     * The cluster's ZooKeeper server, to restart it or expire a node's session.
     *
     * @throws IllegalStateException if the cluster runs on the test's own ZooKeeper
     */
    public TestZooKeeper zooKeeper() {
        if (zooKeeper == null) {
            throw new IllegalStateException("the cluster runs on the test's own ZooKeeper (" + outsideZooKeeper
                    + "), not the kit's");
        }
        return zooKeeper;
    }

    /** Node {@code index}, from 0 ({@code node-1}), in the order nodes were started. */
    public synchronized TestNode node(int index) {
        if (index < 0 || index >= nodes.size()) {
            throw new IndexOutOfBoundsException("the cluster has nodes 0-" + (nodes.size() - 1) + "; asked for "
                    + index);
        }
        return nodes.get(index);
    }

    public synchronized List<TestNode> nodes() {
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
        TestNode via = firstRunning();
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

    /**
     * Where the nodes' and ZooKeeper's data is: a temporary directory, deleted when the cluster closes, unless the
     * test gave one ({@link Builder#directory}).
     */
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
        if (ownsDirectory) {
            run(failures, this::deleteDirectory);
        }
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
