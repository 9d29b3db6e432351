package dev.vessel.cli;

import dev.vessel.host.SelfSignedTls;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Runs a whole cluster on this machine: an embedded ZooKeeper and N nodes on consecutive ports.",
                "Records it in the Vessel home so other verbs find it. Ctrl-C stops everything."})
final class UpCommand implements Callable<Integer> {
    /** Where ZooKeeper's own messages go, in the Vessel home. */
    static final String ZOOKEEPER_LOG = "logs/zookeeper.log";

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "1", description = "Number of nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--port", defaultValue = "7070", description = "HTTP port of the first node (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--zk-port", defaultValue = "2181", description = "Port of the embedded ZooKeeper (default ${DEFAULT-VALUE}).")
    int zkPort;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address the nodes bind (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--demo", description = "Start greeter 1.0.0, 1.1.0 and 2.0.0 on every node.")
    boolean demo;

    @Option(names = "--tls", description = "Serve HTTPS: generates a self-signed certificate for this machine in"
            + " <vessel home>/tls (trust.p12 is what clients trust) and records it so other verbs use it.")
    boolean tls;

    @Override
    public Integer call() throws InterruptedException {
        if (nodes < 1 || nodes > 64) {
            throw new CliException(ExitCode.BAD_INPUT, "--nodes must be 1-64; got " + nodes);
        }
        VesselHome home = VesselHome.resolve();
        home.cluster().filter(c -> ProcessHandle.of(c.pid()).map(ProcessHandle::isAlive).orElse(false))
                .ifPresent(c -> {
                    throw new CliException(ExitCode.FAILED, "a cluster started by process " + c.pid()
                            + " is already running (ZooKeeper " + c.zk() + "); stop it first");
                });
        try {
            home.createOwnerOnly(); // before anything is written into it
        } catch (java.io.IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot create the Vessel home " + home.dir() + ": " + e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Starting ZooKeeper and " + nodes + " node(s) in " + home.dir() + " ...");
        out.println(heapLine());
        Path zooKeeperLog = home.resolve(ZOOKEEPER_LOG);
        CliLogging.zooKeeperToFile(zooKeeperLog);
        out.println((nodes > 1 ? "Forming a ZooKeeper quorum of " + nodes + " members: its elections and member"
                + " changes are expected and logged" : "ZooKeeper logs") + " in " + zooKeeperLog);
        out.flush();
        String token = home.token(); // the one this home's registry and nodes were secured with, if any
        SelfSignedTls.Files certificates = tls ? SelfSignedTls.generate(home.resolve("tls"), List.of(bind)) : null;
        AtomicReference<LocalCluster> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                LocalCluster cluster = running.get();
                if (cluster != null) {
                    cluster.close();
                    home.deleteCluster();
                    out.println("Vessel stopped: " + nodes + " node(s) and ZooKeeper.");
                    out.flush();
                }
            } finally {
                stopped.countDown();
            }
        }, "vessel-up-shutdown"));
        LocalCluster.Settings settings = new LocalCluster.Settings(home.dir(), nodes, port, zkPort, bind, demo,
                token, certificates);
        LocalCluster cluster;
        try {
            // recorded as soon as the nodes serve, before the demo: a verb run meanwhile finds the cluster
            cluster = LocalCluster.start(settings, reachable -> {
                running.set(reachable);
                record(out, home, reachable, token, certificates);
                if (demo) {
                    out.println("Starting the demo releases ...");
                    out.flush();
                }
            });
        } catch (RuntimeException e) {
            // start stopped what it had started; the record must not outlive it
            if (running.getAndSet(null) != null) {
                home.deleteCluster();
            }
            throw e;
        }
        printReady(out, cluster.nodes().get(0).url().toString());
        stopped.await();
        return ExitCode.OK;
    }

    /** The heap this JVM may use, and how to change it; an OutOfMemoryError ends the process (the launcher's flag). */
    static String heapLine() {
        long mib = Runtime.getRuntime().maxMemory() >> 20;
        boolean exits = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                .contains("-XX:+ExitOnOutOfMemoryError");
        return "Heap up to " + mib + " MiB (VESSEL_HEAP sets it, e.g. VESSEL_HEAP=2g); an OutOfMemoryError "
                + (exits ? "ends the process" : "does NOT end the process: start it with -XX:+ExitOnOutOfMemoryError,"
                + " as ./vessel does");
    }

    /** Writes cluster.json, which every verb on this machine reads, and prints what it holds. */
    private static void record(PrintWriter out, VesselHome home, LocalCluster cluster, String token,
            SelfSignedTls.Files certificates) {
        List<VesselHome.NodeAddress> addresses = cluster.nodes().stream()
                .map(n -> new VesselHome.NodeAddress(n.nodeId(), n.url().toString()))
                .toList();
        home.writeCluster(new VesselHome.ClusterInfo(cluster.zkConnect(), "/vessel", addresses,
                ProcessHandle.current().pid(), System.currentTimeMillis(), token,
                certificates == null ? null : certificates.trustStore().toString(),
                certificates == null ? null : certificates.trustStorePassword(), cluster.zkTls()));
        out.println("ZooKeeper  " + cluster.zkConnect());
        for (VesselHome.NodeAddress node : addresses) {
            out.println("Node       " + node.id() + "  " + node.url());
        }
        out.println("Dashboard  " + addresses.get(0).url() + "/ui/  (`./vessel dashboard` prints it with the admin"
                + " token, `--viewer` with a read-only one)");
        out.println("Recorded in " + home.resolve(VesselHome.CLUSTER_FILE) + " (with the admin token; owner-only)");
        out.flush();
    }

    private void printReady(PrintWriter out, String firstNode) {
        if (demo) {
            out.println("Demo       greeter 1.0.0, 1.1.0 and 2.0.0 are ACTIVE on every node");
            out.println();
            out.println("Try, in another terminal:");
            out.println("  ./vessel status");
            out.println("  ./vessel call greeter greeter greet Ada --range '[1.0,2.0)'      # newest 1.x answers");
            out.println("  ./vessel call greeter greeter greet Ada fr --range '[2.0,3.0)'   # 2.0.0 answers");
            out.println("  ./vessel call greeter greeter greet Ada --range '[3.0,4.0)'      # no compatible version");
            out.println("  curl -s -X POST " + firstNode + "/v1/call/greeter/1.0.0/greeter/greet"
                    + " -H 'Content-Type: application/json' -d '[\"Ada\"]'");
        }
        out.println("Vessel is up. Ctrl-C stops everything.");
        out.flush();
    }
}
