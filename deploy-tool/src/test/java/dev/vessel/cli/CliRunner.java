package dev.vessel.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Runs one command line in-process and keeps what it printed. */
record CliRunner(int exitCode, String out, String err) {
    /** The admin token of clusters with a quorum in this JVM: its ZooKeeper super identity derives from it (pom). */
    static final String QUORUM_TOKEN = "quorum-test-token-0123456789";

    static CliRunner run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRunner(code, out.toString(), err.toString());
    }

    /**
     * {@code args} followed by {@code --reader-secret-file secretFile} when they name a cluster with {@code --zk}:
     * the registry of a cluster whose nodes have its token is readable only with its reader identity.
     */
    static CliRunner runReading(Path secretFile, String... args) {
        if (!java.util.List.of(args).contains("--zk") || java.util.List.of(args).contains("--reader-secret-file")) {
            return run(args);
        }
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--reader-secret-file";
        all[args.length + 1] = secretFile.toString();
        return run(all);
    }

    static int freePort() {
        return freePorts(1);
    }

    /**
     * The first of {@code count} consecutive ports nobody listens on, below the kernel's ephemeral range: the
     * ports after a free one from that range can be taken at any moment by an outgoing connection's local port
     * (a quorum member on the next port then fails to bind, as QuorumTlsVerbsTest did once).
     */
    static int freePorts(int count) {
        int ephemeralLow = ephemeralRangeStart();
        int low = 10_000;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = random.nextInt(low, ephemeralLow - count);
            if (allFree(first, count)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports between " + low + " and "
                + ephemeralLow);
    }

    private static boolean allFree(int first, int count) {
        for (int port = first; port < first + count; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(port));
            } catch (java.io.IOException taken) {
                return false;
            }
        }
        return true;
    }

    private static int ephemeralRangeStart() {
        try {
            // a /proc file's size is 0, and Files.readString trusts the size: read it line by line
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (java.io.IOException | RuntimeException notLinux) {
            return 32_768;
        }
    }
}
