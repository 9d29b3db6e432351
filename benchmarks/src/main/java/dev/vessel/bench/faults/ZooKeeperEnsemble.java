package dev.vessel.bench.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Three ZooKeeper servers in processes of their own (QuorumPeerMain, tickTime 500), on loopback ports. A server
 * killed can be started again on its own data directory, as an operator restarting it would.
 */
final class ZooKeeperEnsemble implements AutoCloseable {
    private final Process[] servers = new Process[3];
    private final Path[] configs = new Path[3];
    private final int[] clientPorts = new int[3];

    ZooKeeperEnsemble(Path dir) throws Exception {
        int[] peer = new int[3];
        int[] election = new int[3];
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = FaultBenchmark.freePort();
            peer[i] = FaultBenchmark.freePort();
            election[i] = FaultBenchmark.freePort();
        }
        for (int i = 0; i < 3; i++) {
            Path data = Files.createDirectories(dir.resolve("zk-" + (i + 1)));
            Files.writeString(data.resolve("myid"), Integer.toString(i + 1));
            StringBuilder cfg = new StringBuilder("tickTime=500\ninitLimit=10\nsyncLimit=5\n")
                    .append("dataDir=").append(data).append('\n')
                    .append("clientPort=").append(clientPorts[i]).append('\n')
                    .append("clientPortAddress=127.0.0.1\nadmin.enableServer=false\n")
                    .append("4lw.commands.whitelist=srvr\n");
            for (int j = 0; j < 3; j++) {
                cfg.append("server.").append(j + 1).append("=127.0.0.1:").append(peer[j]).append(':')
                        .append(election[j]).append('\n');
            }
            configs[i] = data.resolve("zoo.cfg");
            Files.writeString(configs[i], cfg);
            start(i);
        }
        awaitLeader(-1);
    }

    /** Starts server {@code index} (again) on its configuration and data. */
    void start(int index) throws Exception {
        Path data = configs[index].getParent();
        servers[index] = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", configs[index].toString())
                .redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()))
                .start();
    }

    String connectString() {
        StringBuilder s = new StringBuilder();
        for (int port : clientPorts) {
            s.append(s.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        return s.toString();
    }

    /** Waits for a leader other than {@code not}; returns its index. */
    int awaitLeader(int not) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 3; i++) {
                if (i != not && servers[i].isAlive() && mode(clientPorts[i]).equals("leader")) {
                    return i;
                }
            }
            Thread.sleep(20); // harness polling of the servers' own report
        }
        throw new IllegalStateException("no ZooKeeper leader within 120 s");
    }

    private static String mode(int port) {
        try {
            String answer = org.apache.zookeeper.client.FourLetterWordMain.send4LetterWord("127.0.0.1", port,
                    "srvr", false, 500);
            int at = answer.indexOf("Mode: ");
            return at < 0 ? "" : answer.substring(at + 6).split("\\s")[0];
        } catch (Exception e) {
            return "";
        }
    }

    void kill(int index) throws Exception {
        FaultBenchmark.signal(servers[index], "KILL");
        servers[index].waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        for (Process p : servers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
