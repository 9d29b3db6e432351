package dev.vessel.host.internal.quorum;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import dev.vessel.host.NodeConfig;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryTls;
import dev.vessel.registry.internal.OwnedEphemeral;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;

/**
 * This node's part in the quorum: the member it runs, its registration, and its share of the quorum manager.
 * A member is founded (the first of a new quorum), joins a running quorum knowing one reachable member's
 * address, or restarts from its own directory with the membership ZooKeeper last wrote there.
 */
public final class QuorumMembership implements Closeable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QuorumMembership.class);
    /**
     * @param found        start a new quorum with this member as its only voter
     * @param voters       desired voters (3, or 5 for large fleets)
     * @param stabilization how long a member follows in sync before it becomes a voter
     * @param removalThreshold how long a member may be unreachable before it is removed
     */
    public record Settings(boolean found, int clientPort, int peerPort, int electionPort, int voters,
            java.time.Duration stabilization, java.time.Duration removalThreshold) {
        /** The node's quorum configuration, with a free port picked for each one given as 0. */
        public static Settings from(NodeConfig.Quorum quorum) {
            return new Settings(quorum.found(), portOrFree(quorum.clientPort()), portOrFree(quorum.peerPort()),
                    portOrFree(quorum.electionPort()), quorum.voters(), quorum.stabilization(),
                    quorum.removalThreshold());
        }

        private static int portOrFree(int port) {
            if (port != 0) {
                return port;
            }
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                return socket.getLocalPort();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("no free port for the quorum member", e);
            }
        }
    }

    private volatile QuorumServer server;
    /** What the member was started with: a recovery starts it again the same way. */
    private final Path dir;
    private final String superDigest;
    private final String peerPassword;
    private final NodeConfig.Tls serverTls;
    private final String connectString;
    private final String superPassword;
    private final QuorumPaths paths;
    private final Settings settings;
    private final String adminToken;
    private final RegistryTls clientTls;
    private CuratorFramework client;
    private OwnedEphemeral registration;
    private QuorumManager manager;

    private QuorumMembership(QuorumServer server, Settings settings, String connectString, String superPassword,
            QuorumPaths paths, String adminToken, RegistryTls clientTls, Path dir, NodeConfig.Tls serverTls) {
        this.dir = dir;
        this.superDigest = superDigest(superPassword);
        this.peerPassword = peerPassword(adminToken);
        this.serverTls = serverTls;
        this.settings = settings;
        this.adminToken = adminToken;
        this.clientTls = clientTls;
        this.server = server;
        this.connectString = connectString;
        this.superPassword = superPassword;
        this.paths = paths;
    }

    /** The quorum's super password, derived from the cluster's admin token so every node knows it. */
    public static String superPassword(String adminToken) {
        return RegistryCredentials.derive(adminToken, "vessel zookeeper super");
    }

    /** The password quorum peers authenticate each other with, derived from the admin token too. */
    public static String peerPassword(String adminToken) {
        return RegistryCredentials.derive(adminToken, "vessel zookeeper peer");
    }

    /** {@code super:base64(sha1("super:" + password))}, what ZooKeeper's digest provider compares with. */
    public static String superDigest(String password) {
        return RegistryCredentials.digest("super", password);
    }

    /**
     * The member {@code config.quorum()} asks for, served on {@code host}: founded, joined through
     * {@code config.zkConnect()}, or restarted from the node's quorum directory.
     */
    public static QuorumMembership start(NodeConfig config, String host) {
        return start(Settings.from(config.quorum().orElseThrow()), config.dataDir().resolve("quorum"),
                config.zkConnect(), host, config.adminToken().orElseThrow(), config.registryRoot(),
                config.tls().orElse(null), config.registryTls().orElse(null));
    }

    /** Starts this node's member; {@code knownMember} is any reachable member's client address (unused to found). */
    public static QuorumMembership start(Settings settings, Path dir, String knownMember, String host, String adminToken,
            String registryRoot) {
        return start(settings, dir, knownMember, host, adminToken, registryRoot, null, null);
    }

    /**
     * @param serverTls the stores this member serves TLS with (peers and clients), or null for none
     * @param clientTls how this node's own sessions reach the quorum over TLS, or null for plain sessions
     */
    public static QuorumMembership start(Settings settings, Path dir, String knownMember, String host, String adminToken,
            String registryRoot, NodeConfig.Tls serverTls, RegistryTls clientTls) {
        String password = superPassword(adminToken);
        String digest = superDigest(password);
        String peers = peerPassword(adminToken);
        QuorumPaths paths = new QuorumPaths(registryRoot);
        QuorumServer server;
        String connect;
        if (Files.exists(dir.resolve("zoo.cfg"))) {
            List<QuorumMember> members = membersIn(dir);
            long myId = myId(dir);
            QuorumMember self = members.stream().filter(m -> m.id() == myId).findFirst().orElseThrow(() ->
                    new IllegalStateException(dir + " names server " + myId + " but its membership does not"));
            server = QuorumServer.start(dir, self, List.of(), digest, peers, serverTls);
            connect = members.stream().map(QuorumMember::clientAddress).collect(Collectors.joining(","));
        } else if (settings.found()) {
            QuorumMember self = new QuorumMember(1, host, settings.peerPort(), settings.electionPort(),
                    settings.clientPort(), QuorumMember.Role.PARTICIPANT);
            server = QuorumServer.start(dir, self, List.of(self), digest, peers, serverTls);
            connect = self.clientAddress();
            awaitServing(server, java.time.Duration.ofSeconds(60));
        } else {
            EnsembleView view;
            long id;
            try (CuratorFramework bootstrap = connect(knownMember, password,
                    RegistryCredentials.forNodes(adminToken), clientTls)) {
                view = EnsembleView.parse(bootstrap.getConfig().forEnsemble());
                if (view.members().isEmpty()) {
                    throw notNodeRun(knownMember, "it has no ensemble configuration (a standalone server)");
                }
                id = allocateId(bootstrap, paths, view);
            } catch (KeeperException.NoAuthException e) {
                throw notNodeRun(knownMember, "it refused this node's quorum identity (" + e.getMessage() + ")");
            } catch (NotNodeRunQuorum e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot join the quorum through " + knownMember + ": " + e.getMessage(),
                        e);
            }
            // not in the configuration yet: it follows without a vote until the quorum manager adds it
            QuorumMember self = new QuorumMember(id, host, settings.peerPort(), settings.electionPort(),
                    settings.clientPort(), QuorumMember.Role.PARTICIPANT);
            List<QuorumMember> initial = new ArrayList<>(view.members().values());
            initial.add(self);
            server = QuorumServer.start(dir, self, initial, digest, peers, serverTls);
            connect = view.connectString() + "," + self.clientAddress();
            awaitServing(server, java.time.Duration.ofSeconds(60));
        }
        return new QuorumMembership(server, settings, connect, password, paths, adminToken, clientTls, dir, serverTls);
    }

    /**
     * A ZooKeeper a node cannot join with {@code --quorum}: one it did not found (a standalone {@code vessel up}, a
     * server run by someone else) or one founded with another token.
     */
    private static NotNodeRunQuorum notNodeRun(String address, String why) {
        return new NotNodeRunQuorum("the ZooKeeper at " + address + " is not a quorum the Vessel nodes run with"
                + " this token: " + why + ". Found one with `vessel node --found-quorum` (or `vessel up --nodes 3`)"
                + " and join it with --quorum --zk MEMBER and the same token; to use this ZooKeeper as the registry"
                + " as it is, start the node without --quorum");
    }

    private static final class NotNodeRunQuorum extends IllegalStateException {
        NotNodeRunQuorum(String message) {
            super(message);
        }
    }

    /**
     * Waits until a new member serves: a founder once it leads, a joiner once it follows. A restarted member is
     * not waited for: while a majority of the quorum is down it cannot serve, and the node starts regardless.
     */
    private static void awaitServing(QuorumServer server, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String mode = QuorumManager.probe(server.self());
            if (mode != null && !mode.isEmpty()) {
                return;
            }
            if (!server.running() || System.nanoTime() > deadline) {
                boolean stopped = !server.running();
                server.close();
                // the two differ: a server that stopped at once (a port taken meanwhile, say) is not a slow one
                throw new IllegalStateException("ZooKeeper server " + server.self().id() + (stopped
                        ? " stopped before it served (its log above says why; client port "
                                + server.self().clientPort() + ")"
                        : " did not start serving within " + timeout.toSeconds() + " s"));
            }
            try {
                Thread.sleep(50); // a member reports its mode only when asked
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.close();
                throw new IllegalStateException("interrupted while ZooKeeper server " + server.self().id()
                        + " started", e);
            }
        }
    }

    /** Registers the member and takes part in managing the quorum; call once the registry is reachable. */
    public void join(String nodeId, String zone) {
        client = connect(connectString, superPassword, RegistryCredentials.forNodes(adminToken), clientTls);
        QuorumMember self = server.self();
        QuorumRegistration record = new QuorumRegistration(self, nodeId, zone);
        try {
            record.remember(client, paths);
        } catch (Exception e) {
            // only naming depends on it: the member runs and is managed without it
            LOG.warn("quorum: could not remember server {} as node {}: {}", self.id(), nodeId, e.toString());
        }
        registration = new OwnedEphemeral(client, paths.members() + "/" + self.id(), record.toJson()).start();
        manager = new QuorumManager(client, paths, nodeId, new QuorumPlanner.Desired(settings.voters(),
                settings.stabilization(), settings.removalThreshold())).start();
    }

    /**
     * Re-founds the quorum from this member after it lost its majority for good: the member is stopped, made the
     * only voter (every other member an observer, see {@link QuorumRecovery}) and started again on its data, and
     * this returns once it serves. The quorum manager grows the voters back as members follow again.
     *
     * @throws IllegalStateException if the member serves (the quorum has a majority: nothing to recover)
     * @throws java.io.IOException    if its membership could not be rewritten or it did not serve again
     */
    public synchronized QuorumRecovery.Refounded recover() throws java.io.IOException {
        QuorumMember self = server.self();
        String mode = QuorumManager.probe(self);
        if (mode != null && !mode.isEmpty()) {
            throw new IllegalStateException("ZooKeeper server " + self.id() + " serves as " + mode + ": the quorum has"
                    + " a majority, so there is nothing to recover");
        }
        server.close();
        QuorumRecovery.Refounded refounded = QuorumRecovery.rewrite(dir, self.id());
        try {
            server = QuorumServer.start(dir, self, List.of(), superDigest, peerPassword, serverTls);
            awaitServing(server, java.time.Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            throw new java.io.IOException(e.getMessage(), e); // not a quorum that serves: one that failed to start
        }
        return refounded;
    }

    /** Every member this node knows of, for its registry session (Curator follows changes from there). */
    public String connectString() {
        return connectString;
    }

    public QuorumMember self() {
        return server.self();
    }

    public boolean managing() {
        return manager != null && manager.acting();
    }

    /** A session with the super identity that creates what it creates with the nodes' ACL. */
    private static CuratorFramework connect(String connectString, String superPassword, RegistryCredentials acl,
            RegistryTls tls) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder().connectString(connectString)
                .aclProvider(acl).sessionTimeoutMs(15_000).connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .authorization("digest", ("super:" + superPassword).getBytes(StandardCharsets.UTF_8));
        if (tls != null) {
            builder.zkClientConfig(tls.clientConfig());
        }
        CuratorFramework client = builder.build();
        client.start();
        try {
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
                client.close();
                throw new IllegalStateException("no quorum member answered at " + connectString + " within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IllegalStateException("interrupted while connecting to the quorum", e);
        }
        return client;
    }

    /** A server id no member has had: a counter advanced with a conditional write, above every id in the view. */
    private static long allocateId(CuratorFramework client, QuorumPaths paths, EnsembleView view) throws Exception {
        long floor = view.members().keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        while (true) {
            Stat stat = new Stat();
            long next;
            try {
                next = Long.parseLong(new String(client.getData().storingStatIn(stat).forPath(paths.nextId()),
                        StandardCharsets.US_ASCII));
            } catch (KeeperException.NoNodeException e) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(paths.nextId(),
                            Long.toString(floor).getBytes(StandardCharsets.US_ASCII));
                } catch (KeeperException.NodeExistsException raced) {
                    // another joiner created it first: read it again
                }
                continue;
            }
            long id = Math.max(next, floor);
            try {
                client.setData().withVersion(stat.getVersion()).forPath(paths.nextId(),
                        Long.toString(id + 1).getBytes(StandardCharsets.US_ASCII));
                return id;
            } catch (KeeperException.BadVersionException raced) {
                // another joiner took this one
            }
        }
    }

    private static List<QuorumMember> membersIn(Path dir) {
        try {
            QuorumPeerConfig config = new QuorumPeerConfig();
            config.parse(dir.resolve("zoo.cfg").toString());
            return EnsembleView.fromServers(config.getQuorumVerifier().getAllMembers().values()).members().values()
                    .stream().toList();
        } catch (QuorumPeerConfig.ConfigException e) {
            throw new IllegalStateException("cannot read the quorum membership in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long myId(Path dir) {
        try {
            return Long.parseLong(Files.readString(dir.resolve("data").resolve("myid")).trim());
        } catch (java.io.IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read " + dir.resolve("data").resolve("myid") + ": " + e, e);
        }
    }

    @Override
    public void close() {
        // ending the session removes the registration and the manager's election node with it; deleting them one
        // by one first retries for as long as the retry policy allows when the quorum has no majority any more
        if (manager != null) {
            manager.close();
        }
        if (client != null) {
            client.close();
        }
        server.close();
    }

}
