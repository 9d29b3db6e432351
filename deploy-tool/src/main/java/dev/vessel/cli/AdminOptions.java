package dev.vessel.cli;

import dev.vessel.deploy.AdminClient;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/** Where the admin API is and the token it wants; defaults come from the Vessel home and the registry. */
final class AdminOptions {
    @Option(names = "--server", paramLabel = "URL",
            description = "A node's URL for admin requests. Default: the first node `vessel up` recorded, else the"
                    + " first registered node on this machine (a loopback address); the admin token is never sent to"
                    + " an address only the registry names.")
    URI server;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the admin token ('-': standard input). Default: $VESSEL_TOKEN, else the token"
                    + " `vessel up` recorded.")
    Path tokenFile;

    /**
     * The token from {@code --token-file} ({@code -}: the first line of standard input, so that neither a path in
     * the command line nor the environment tells a release in the process where to find it), else
     * {@code $VESSEL_TOKEN}, else null.
     */
    static String explicitToken(Path tokenFile) {
        if (tokenFile != null && tokenFile.toString().equals("-")) {
            try {
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isBlank()) {
                    throw new CliException(ExitCode.BAD_INPUT, "--token-file -: standard input held no token");
                }
                return line.trim();
            } catch (IOException e) {
                throw new CliException(ExitCode.BAD_INPUT, "--token-file -: cannot read standard input: " + e);
            }
        }
        if (tokenFile != null) {
            try {
                return Files.readString(tokenFile).trim();
            } catch (IOException e) {
                throw new CliException(ExitCode.BAD_INPUT, "cannot read --token-file " + tokenFile + ": " + e);
            }
        }
        String env = System.getenv("VESSEL_TOKEN");
        return env == null || env.isBlank() ? null : env.trim();
    }

    /** The token of the cluster `vessel up` recorded, unless one is given; for verbs that name no other cluster. */
    String token() {
        return token(VesselHome.resolve().cluster());
    }

    /**
     * The given token, else the recorded cluster's when {@code cluster} is that cluster: the token `vessel up`
     * recorded never goes to a cluster that {@code --zk} names.
     */
    String token(ClusterOptions cluster) {
        return token(cluster.recordedCluster());
    }

    private String token(Optional<VesselHome.ClusterInfo> recorded) {
        String explicit = explicitToken(tokenFile);
        if (explicit != null) {
            return explicit;
        }
        return recorded.map(VesselHome.ClusterInfo::token).filter(t -> t != null)
                .orElseThrow(() -> new CliException(ExitCode.UNAUTHORIZED, "no admin token for this cluster: pass"
                        + " --token-file or set VESSEL_TOKEN (the token `vessel up` recorded is used only for the"
                        + " cluster it recorded, with no --zk or the same one)"));
    }

    /** An admin client for the cluster {@code cluster} names, with its token, at one of its nodes. */
    AdminClient client(ClusterOptions cluster, RegistryConnection registry) {
        Optional<SSLContext> tls = cluster.tls();
        String token = token(cluster); // first: without a token, where to send it does not matter
        return new AdminClient(server(cluster, registry, tls.isPresent()), token, tls.orElse(null));
    }

    private URI server(ClusterOptions cluster, RegistryConnection registry, boolean tls) {
        if (server != null) {
            return server;
        }
        var recorded = cluster.recordedCluster();
        if (recorded.isPresent() && !recorded.get().nodes().isEmpty()) {
            return URI.create(recorded.get().nodes().get(0).url());
        }
        List<NodeRecord> nodes = new ClusterReader(registry).nodes();
        if (nodes.isEmpty()) {
            throw new CliException(ExitCode.UNAVAILABLE, "no node is registered to send admin requests to");
        }
        // whoever can write a node record could name any address: the token goes only to this machine unasked
        return nodes.stream().map(n -> URI.create(n.url(tls))).filter(AdminOptions::isLoopback).findFirst()
                .orElseThrow(() -> new CliException(ExitCode.BAD_INPUT, "no node on this machine is registered, and"
                        + " the admin token is not sent to an address only the registry names: pass --server URL"
                        + " (registered: " + nodes.stream().map(NodeRecord::url).limit(5).toList() + ")"));
    }

    private static boolean isLoopback(URI url) {
        try {
            return url.getHost() != null && InetAddress.getByName(url.getHost()).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** Recorded as who made a change. */
    static String who() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }
}
