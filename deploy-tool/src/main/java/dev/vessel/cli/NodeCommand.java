package dev.vessel.cli;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.CpuIsolationMode;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryTls;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = {"Runs one node against an external ZooKeeper (ensemble). Ctrl-C deregisters and stops it."})
final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--zk", paramLabel = "CONNECT",
            description = "ZooKeeper connect string, e.g. zk1:2181,zk2:2181,zk3:2181; with --quorum one reachable"
                    + " member is enough. Required unless --found-quorum.")
    String zk;

    @Option(names = "--quorum", description = "Run a member of the ZooKeeper quorum in this node, joining the quorum"
            + " --zk reaches; the quorum manager makes it a voter or an observer. Needs --token-file.")
    boolean quorum;

    @Option(names = "--found-quorum", description = "Start a new quorum with this node's member as its only voter;"
            + " later nodes join it with --quorum --zk <this node's member>. Needs --token-file.")
    boolean foundQuorum;

    @Option(names = "--quorum-ports", paramLabel = "CLIENT[,PEER,ELECTION]",
            description = "Ports of this node's quorum member (default: free ones; the client port is printed).")
    String quorumPorts;

    @Option(names = "--quorum-stabilization", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long a member follows in sync before it becomes a voter (default ${DEFAULT-VALUE}).")
    int stabilizationSeconds;

    @Option(names = "--quorum-removal-after", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a member may be unreachable before the quorum manager removes it (default"
                    + " ${DEFAULT-VALUE}).")
    int removalSeconds;

    @Option(names = "--voters", defaultValue = "3",
            description = "Voters the quorum manager keeps: 3 (default) or 5 for large fleets.")
    int voters;

    @Option(names = "--root", defaultValue = "/vessel", description = "Registry root path (default ${DEFAULT-VALUE}).")
    String root;

    @Option(names = "--port", defaultValue = "7070", description = "HTTP port (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address to bind (default ${DEFAULT-VALUE}; use 0.0.0.0 to serve other machines).")
    String bind;

    @Option(names = "--advertise", description = "Address routers use to reach this node (default: the bind address,"
            + " or the host name when binding 0.0.0.0).")
    String advertise;

    @Option(names = "--advertise-port", paramLabel = "PORT", defaultValue = "0", description = "Port routers and peers"
            + " use to reach this node, when another port is forwarded to it (a container's published port; default:"
            + " the port it serves on).")
    int advertisePort;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: <vessel home>/nodes/<name>).")
    Path data;

    @Option(names = "--zone", defaultValue = "default", description = "Failure zone (default ${DEFAULT-VALUE}).")
    String zone;

    @Option(names = "--name", paramLabel = "ID", description = "Node id (default: <hostname>-<port>).")
    String name;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the cluster's admin token, or '-' to read it from standard input (then neither"
                    + " the command line nor the environment names it to the releases the node runs; default:"
                    + " $VESSEL_TOKEN). Without a token the node's admin API is disabled.")
    Path tokenFile;

    @Option(names = "--tls-key-store", paramLabel = "FILE",
            description = "PKCS12 key store with this node's key and certificate: serve HTTPS instead of HTTP, and"
                    + " with --quorum/--found-quorum serve the quorum member over TLS (peers and clients). Every"
                    + " node of a cluster uses TLS or none does.")
    Path tlsKeyStore;

    @Option(names = "--tls-key-store-password-file", paramLabel = "FILE",
            description = "File holding the key store's password (default: $VESSEL_KEY_STORE_PASSWORD).")
    Path tlsKeyStorePasswordFile;

    @Option(names = "--trust-store", paramLabel = "FILE",
            description = "PKCS12 trust store with the certificates of the cluster's nodes (or their authority),"
                    + " checked when this node fetches from a peer. Required with --tls-key-store.")
    Path trustStore;

    @Option(names = "--trust-store-password", paramLabel = "PASSWORD", defaultValue = "changeit",
            description = "Password of --trust-store (default ${DEFAULT-VALUE}).")
    String trustStorePassword;

    @Option(names = "--zk-tls", description = "Reach ZooKeeper over TLS, trusting --trust-store (a quorum run by"
            + " nodes with --tls-key-store). On by itself for a node that runs a quorum member with TLS.")
    boolean zkTls;

    @Option(names = "--cpu-isolation", paramLabel = "MODE", defaultValue = "auto",
            converter = CpuIsolationConverter.class,
            description = "How the node keeps its containers' CPU apart: auto (the kernel's control groups where the"
                    + " machine allows them, else calls refused while a container is over its measured budget),"
                    + " kernel (control groups or the node does not start), measured, or off (default"
                    + " ${DEFAULT-VALUE}).")
    CpuIsolationMode cpuIsolation;

    @Option(names = "--cpu-reserve", paramLabel = "CORES", defaultValue = "0.25",
            description = "Cores kept for the node itself: its containers together use at most the machine's cores"
                    + " less this (default ${DEFAULT-VALUE}).")
    double cpuReserve;

    @Option(names = "--registry-wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "How long the node's start waits for its registry (ZooKeeper) to be reachable; 0 (default)"
                    + " waits until it is. Meanwhile the node answers 503 to everything and starts nothing: what it"
                    + " should run is the registry's to say.")
    long registryWaitSeconds;

    @Option(names = "--connections-per-client", paramLabel = "N", defaultValue = "1024",
            description = "Open connections one client address may hold; a new one past that is closed at once, so"
                    + " one client never takes what health, admin and other callers need (default ${DEFAULT-VALUE}).")
    int connectionsPerClient;

    @Option(names = "--host-name", paramLabel = "NAME",
            description = "A name this node answers calls to besides its addresses, localhost, --advertise and the"
                    + " machine's name (a call with another Host is refused, as DNS rebinding sends). Repeatable.")
    List<String> hostNames = new ArrayList<>();

    @Option(names = "--unsecured-registry",
            description = "Leave the registry open to anyone who reaches ZooKeeper: for an ensemble someone else"
                    + " administers and secures. Without it, a node with the admin token creates every znode"
                    + " readable and writable only by the cluster's nodes (readable by the reader identity) and closes"
                    + " ZooKeeper's root to strangers.")
    boolean unsecuredRegistry;

    @Option(names = "--release", paramLabel = "DIR",
            description = "A directory of bundle jars forming one release, started at boot. Repeatable.")
    List<Path> releases = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        // read every release before starting anything: a bad one is refused with nothing left running
        var parsed = releases.stream().map(ReleaseReader::readDirectory).toList();
        Path dataDir = data != null ? data : VesselHome.resolve().resolve("nodes", name != null ? name : "port-" + port);
        java.util.Optional<NodeConfig.Quorum> member = quorum();
        String token = AdminOptions.explicitToken(tokenFile);
        // a founding member's registry is itself: there is no other address to give
        NodeConfig.Builder config = NodeConfig.builder(zk != null ? zk : "", dataDir).registryRoot(root).port(port).bindAddress(bind)
                .zone(zone).nodeId(name).advertiseAddress(advertise).advertisePort(advertisePort)
                .adminToken(token);
        tls().ifPresent(config::tls);
        if (zkTls) {
            if (trustStore == null) {
                throw new CliException(ExitCode.BAD_INPUT, "--zk-tls needs --trust-store: the certificates ZooKeeper's"
                        + " are checked against");
            }
            try {
                config.registryTls(new RegistryTls(trustStore, trustStorePassword));
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
            }
        }
        member.ifPresent(config::quorum);
        Path zooKeeperLog = dataDir.resolve(UpCommand.ZOOKEEPER_LOG);
        if (member.isPresent()) {
            CliLogging.zooKeeperToFile(zooKeeperLog);
        }
        if (unsecuredRegistry && member.isPresent()) {
            throw new CliException(ExitCode.BAD_INPUT, "--unsecured-registry is for an ensemble someone else"
                    + " administers; a quorum the nodes run is always secured");
        }
        config.secureRegistry(token != null && !unsecuredRegistry);
        parsed.forEach(config::localRelease);
        try {
            hostNames.forEach(config::hostName);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.BAD_INPUT, "--host-name: " + e.getMessage());
        }
        config.cpuIsolation(cpuIsolation).cpuReserve(cpuReserve).connectionsPerClient(connectionsPerClient)
                .registryWait(java.time.Duration.ofSeconds(registryWaitSeconds));
        NodeConfig settings;
        try {
            settings = config.build();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
        }
        VesselNode node = VesselNode.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } finally {
                stopped.countDown();
            }
        }, "vessel-node-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Node " + node.nodeId() + " serving on " + node.url() + " (ZooKeeper " + (zk == null ? "-" : zk)
                + ", zone " + zone + ")");
        node.quorumMember().ifPresent(address -> out.println("Quorum member at " + address + " (ZooKeeper logs in "
                + zooKeeperLog + ")"));
        if (!settings.secureRegistry()) {
            out.println("WARNING: the registry is open to anyone who reaches ZooKeeper ("
                    + (token == null ? "no admin token" : "--unsecured-registry") + "): they can read it and write"
                    + " releases these nodes run");
        }
        out.println(UpCommand.heapLine());
        out.println("CPU isolation " + node.cpuIsolation().mechanism() + " (" + node.cpuIsolation().reason() + ")");
        for (ContainerInfo info : settled(node, parsed, settings.readyTimeout().plusSeconds(10))) {
            out.println("  " + info.id() + "  " + info.state() + (info.state() == InstanceState.FAILED
                    ? "  " + info.error() : ""));
        }
        out.println("Ctrl-C stops the node.");
        out.flush();
        stopped.await();
        return ExitCode.OK;
    }

    /**
     * The containers of the node's own releases once each is ACTIVE or FAILED (its reconciler starts them as soon
     * as the node serves), or as they are when {@code patience} runs out.
     */
    private static List<ContainerInfo> settled(VesselNode node, List<Release> releases, java.time.Duration patience)
            throws InterruptedException {
        java.util.Set<String> ids = new java.util.HashSet<>();
        releases.forEach(release -> ids.add(release.id().toString()));
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            List<ContainerInfo> mine = node.containers().stream().filter(c -> ids.contains(c.id())).toList();
            boolean done = mine.size() == ids.size() && mine.stream()
                    .allMatch(c -> c.state() == InstanceState.ACTIVE || c.state() == InstanceState.FAILED);
            if (done || System.nanoTime() - deadline > 0) {
                return mine;
            }
            Thread.sleep(20); // a display loop, bounded by the deadline
        }
    }

    private java.util.Optional<NodeConfig.Quorum> quorum() {
        if (quorum && foundQuorum) {
            throw new CliException(ExitCode.BAD_INPUT, "--quorum joins a quorum, --found-quorum starts one: pass one");
        }
        if (!quorum && !foundQuorum) {
            if (zk == null) {
                throw new CliException(ExitCode.BAD_INPUT, "--zk is required (or --found-quorum to start a quorum)");
            }
            return java.util.Optional.empty();
        }
        if (quorum && zk == null) {
            throw new CliException(ExitCode.BAD_INPUT, "--quorum needs --zk with the address of a quorum member");
        }
        int[] ports = {0, 0, 0};
        if (quorumPorts != null) {
            String[] parts = quorumPorts.split(",");
            if (parts.length != 1 && parts.length != 3) {
                throw new CliException(ExitCode.BAD_INPUT, "--quorum-ports takes CLIENT or CLIENT,PEER,ELECTION; got "
                        + quorumPorts);
            }
            for (int i = 0; i < parts.length; i++) {
                try {
                    ports[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new CliException(ExitCode.BAD_INPUT, "--quorum-ports: '" + parts[i] + "' is not a port");
                }
                if (ports[i] < 1 || ports[i] > 65535) {
                    throw new CliException(ExitCode.BAD_INPUT, "--quorum-ports: " + ports[i] + " is not 1-65535");
                }
            }
        }
        try {
            return java.util.Optional.of(new NodeConfig.Quorum(foundQuorum, ports[0], ports[1], ports[2], voters,
                    java.time.Duration.ofSeconds(stabilizationSeconds), java.time.Duration.ofSeconds(removalSeconds)));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
        }
    }

    private java.util.Optional<NodeConfig.Tls> tls() {
        if (tlsKeyStore == null && trustStore == null) {
            return java.util.Optional.empty();
        }
        if (tlsKeyStore == null || trustStore == null) {
            throw new CliException(ExitCode.BAD_INPUT, "--tls-key-store and --trust-store go together: a node that"
                    + " serves HTTPS fetches from peers that serve it too");
        }
        String password;
        if (tlsKeyStorePasswordFile != null) {
            try {
                password = java.nio.file.Files.readString(tlsKeyStorePasswordFile).trim();
            } catch (java.io.IOException e) {
                throw new CliException(ExitCode.BAD_INPUT, "cannot read --tls-key-store-password-file "
                        + tlsKeyStorePasswordFile + ": " + e);
            }
        } else {
            password = System.getenv("VESSEL_KEY_STORE_PASSWORD");
            if (password == null) {
                throw new CliException(ExitCode.BAD_INPUT, "--tls-key-store needs its password: pass"
                        + " --tls-key-store-password-file or set VESSEL_KEY_STORE_PASSWORD");
            }
        }
        return java.util.Optional.of(new NodeConfig.Tls(tlsKeyStore, password, trustStore, trustStorePassword));
    }

    /** {@code auto}, {@code kernel}, {@code measured} or {@code off}, in any case. */
    static final class CpuIsolationConverter implements picocli.CommandLine.ITypeConverter<CpuIsolationMode> {
        @Override
        public CpuIsolationMode convert(String value) {
            try {
                return CpuIsolationMode.of(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
