package dev.vessel.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;

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

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
