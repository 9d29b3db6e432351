package dev.vessel.cli;

import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.RegistryTls;
import dev.vessel.registry.TlsTrust;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/** {@code --zk}, {@code --root} and the read-only registry identity for verbs that talk to a cluster; defaults come from the Vessel home. */
final class ClusterOptions {
    @Option(names = "--zk", paramLabel = "CONNECT",
            description = "ZooKeeper connect string, host:port[,host:port...]. Default: the cluster `vessel up` "
                    + "recorded in the Vessel home.")
    String zk;

    @Option(names = "--root", paramLabel = "PATH", description = "Registry root path. Default: ${DEFAULT-VALUE}.",
            defaultValue = RegistryLayout.DEFAULT_ROOT)
    String root;

    @Option(names = "--trust-store", paramLabel = "FILE",
            description = "PKCS12 trust store for a cluster whose nodes serve HTTPS. Default: the one `vessel up"
                    + " --tls` recorded, else plain HTTP.")
    Path trustStore;

    @Option(names = "--trust-store-password", paramLabel = "PASSWORD",
            description = "Password of --trust-store (it checks the file's integrity; a trust store holds no"
                    + " secret). Default: changeit.")
    String trustStorePassword;

    @Option(names = "--zk-tls", description = "Reach ZooKeeper over TLS, trusting --trust-store (a quorum run by"
            + " nodes with --tls-key-store). Default: what `vessel up` recorded, else plain.")
    boolean zkTls;

    @Option(names = "--reader-secret-file", paramLabel = "FILE",
            description = "File holding the registry reader secret of a secured cluster (one whose nodes run their"
                    + " own quorum); read verbs use only this read-only identity. Default: $VESSEL_READER_SECRET,"
                    + " else derived from the admin token ($VESSEL_TOKEN, or the one `vessel up` recorded).")
    Path readerSecretFile;

    /** The read-only registry identity, when one is known; an open registry ignores it. */
    RegistryCredentials reader() {
        String secret = readerSecret();
        return secret == null ? null : RegistryCredentials.forReader(secret);
    }

    /** The registry reader secret from the option, the environment or the admin token, else null. */
    String readerSecret() {
        if (readerSecretFile != null) {
            try {
                String secret = Files.readString(readerSecretFile).trim();
                if (secret.isEmpty()) {
                    throw new CliException(ExitCode.BAD_INPUT, "--reader-secret-file " + readerSecretFile
                            + " is empty");
                }
                return secret;
            } catch (IOException e) {
                throw new CliException(ExitCode.BAD_INPUT, "cannot read --reader-secret-file " + readerSecretFile
                        + ": " + e);
            }
        }
        String env = System.getenv("VESSEL_READER_SECRET");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        String token = AdminOptions.explicitToken(null);
        if (token == null) {
            token = recordedCluster().map(VesselHome.ClusterInfo::token).orElse(null);
        }
        // a scoped token derives nothing: only the cluster's admin token is the root of its registry identities
        return token == null || token.startsWith(dev.vessel.registry.AccessToken.PREFIX) ? null
                : RegistryCredentials.readerSecret(token);
    }

    /** The TLS context to reach nodes with, when the cluster serves HTTPS. */
    Optional<SSLContext> tls() {
        try {
            if (trustStore != null) {
                return Optional.of(TlsTrust.context(trustStore, trustStorePassword != null ? trustStorePassword
                        : "changeit"));
            }
            return VesselHome.resolve().cluster().filter(c -> c.trustStore() != null)
                    .map(c -> TlsTrust.context(Path.of(c.trustStore()), c.trustStorePassword()));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
        }
    }

    /**
     * The cluster `vessel up` recorded, when it is the one this command talks to (no {@code --zk}, or the same
     * connect string): only then are its token and nodes used, so a token never reaches another cluster's node.
     */
    Optional<VesselHome.ClusterInfo> recordedCluster() {
        return VesselHome.resolve().cluster().filter(c -> zk == null || zk.equals(c.zk()));
    }

    /** Whether --zk names the cluster (then only ZooKeeper is asked, never a recorded cluster's nodes). */
    boolean zkGiven() {
        return zk != null;
    }

    String connectString() {
        if (zk != null) {
            return zk;
        }
        VesselHome home = VesselHome.resolve();
        return home.cluster().map(VesselHome.ClusterInfo::zk).orElseThrow(() -> new CliException(
                ExitCode.UNAVAILABLE, "no --zk given and no running cluster recorded in " + home.dir()
                        + ": start one with `vessel up`, or pass --zk host:port"));
    }

    RegistryConnection connect() {
        return RegistryConnection.connect(connectString(), RegistryLayout.at(root), Duration.ofSeconds(10), reader(),
                registryTls().orElse(null));
    }

    /** How to reach ZooKeeper over TLS: asked with --zk-tls, or recorded by a `vessel up` whose quorum has it. */
    Optional<RegistryTls> registryTls() {
        try {
            if (zkTls) {
                if (trustStore != null) {
                    return Optional.of(new RegistryTls(trustStore, trustStorePassword != null ? trustStorePassword
                            : "changeit"));
                }
                return Optional.of(VesselHome.resolve().cluster().filter(c -> c.trustStore() != null)
                        .map(c -> new RegistryTls(Path.of(c.trustStore()), c.trustStorePassword()))
                        .orElseThrow(() -> new CliException(ExitCode.BAD_INPUT, "--zk-tls needs --trust-store (no"
                                + " cluster with TLS is recorded by `vessel up`)")));
            }
            // the recorded cluster's choice, unless --zk names another one
            return VesselHome.resolve().cluster().filter(c -> c.zkTls() && c.trustStore() != null
                    && (zk == null || zk.equals(c.zk())))
                    .map(c -> new RegistryTls(Path.of(c.trustStore()), c.trustStorePassword()));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
        }
    }
}
