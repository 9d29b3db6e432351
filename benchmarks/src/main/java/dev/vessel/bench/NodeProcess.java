package dev.vessel.bench;

import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import java.nio.file.Path;

/**
 * One node in a process of its own, for the distribution and fault benchmarks. Prints {@code READY <url>} and runs until the
 * process is ended.
 *
 * <p>Arguments: ZooKeeper connect string, data dir, node id, serving rate bytes/s, peer fetch (true/false),
 * admin token; optionally {@code secure} (a secured registry), or a quorum member: {@code found|join}, its
 * client port, stabilization and removal threshold in seconds. System property {@code vessel.bench.cpuIsolation}:
 * the node's CPU isolation (auto, kernel, measured, off).
 */
public final class NodeProcess {
    private NodeProcess() {}

    /** Waits (up to a minute) for the {@code READY <url>} line a node process writes to its log file. */
    public static java.net.URI awaitReady(Process process, Path log) throws java.io.IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (java.nio.file.Files.exists(log)) {
                for (String line : java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8)) {
                    if (line.startsWith("READY ")) {
                        return java.net.URI.create(line.substring(6).trim());
                    }
                }
            }
            Thread.sleep(50); // harness: the node writes its log at its own pace
        }
        throw new IllegalStateException("a node did not become ready; see " + log);
    }

    /**
     * The CPU isolation system property {@code vessel.bench.cpuIsolation} names (auto, kernel, measured, off), for
     * a benchmark that compares them; without it the node's default.
     */
    public static NodeConfig.Builder cpuIsolationAsked(NodeConfig.Builder config) {
        String mode = System.getProperty("vessel.bench.cpuIsolation", "");
        return mode.isEmpty() ? config : config.cpuIsolation(dev.vessel.host.CpuIsolationMode.of(mode));
    }

    public static void main(String[] args) throws Exception {
        NodeConfig.Builder config = NodeConfig.builder(args[0], Path.of(args[1])).nodeId(args[2]).port(0)
                .serveBytesPerSecond(Long.parseLong(args[3])).peerFetch(Boolean.parseBoolean(args[4]))
                .adminToken(args[5]).registryWait(java.time.Duration.ZERO); // as vessel node: wait for the registry
        if (args.length > 6 && args[6].equals("secure")) {
            config.secureRegistry(true);
        } else if (args.length > 6) {
            config.quorum(new NodeConfig.Quorum(args[6].equals("found"), Integer.parseInt(args[7]), 0, 0, 3,
                    java.time.Duration.ofSeconds(Long.parseLong(args[8])),
                    java.time.Duration.ofSeconds(Long.parseLong(args[9]))));
            config.secureRegistry(true);
        }
        // TLS (HTTPS, and a quorum member's TLS) from files a harness made with SelfSignedTls
        String tlsDir = System.getProperty("vessel.bench.tls");
        if (tlsDir != null && !tlsDir.isEmpty()) {
            Path stores = Path.of(tlsDir);
            java.util.Properties passwords = new java.util.Properties();
            try (var in = java.nio.file.Files.newInputStream(stores.resolve("passwords.properties"))) {
                passwords.load(in);
            }
            NodeConfig.Tls tls = new NodeConfig.Tls(stores.resolve("node.p12"), passwords.getProperty("key"),
                    stores.resolve("trust.p12"), passwords.getProperty("trust"));
            config.tls(tls).registryTls(new dev.vessel.registry.RegistryTls(tls.trustStore(),
                    tls.trustStorePassword()));
        }
        cpuIsolationAsked(config);
        VesselNode node = VesselNode.start(config.build());
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        System.out.println("CPU isolation " + node.cpuIsolation().mechanism() + " (" + node.cpuIsolation().reason()
                + ")");
        System.out.println("READY " + node.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
