package dev.vessel.host.internal.quorum;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

/**
 * The JAAS configuration through which ZooKeeper's quorum peers authenticate each other with SASL DIGEST-MD5:
 * every member accepts a learner that knows the peer password and presents it when it follows. JAAS is
 * configured once per process (a system property naming a file, read at first use), so a process's members share
 * one peer password, like the super identity.
 */
final class PeerAuthentication {
    static final String SERVER = "VesselQuorumServer";
    static final String LEARNER = "VesselQuorumLearner";
    private static final String PROPERTY = "java.security.auth.login.config";
    private static final String USER = "vessel-peer";

    private PeerAuthentication() {}

    /** The peer password this process's JAAS configuration holds, once installed. */
    private static String installed;

    static synchronized void install(String password) throws IOException {
        // ZooKeeper 3.9 refuses DIGEST-MD5 for quorum SASL in its FIPS mode, on by default; the handshake only
        // proves the peer password, and confidentiality is TLS's job (not done yet, docs/security.md)
        System.setProperty("zookeeper.fips-mode", "false");
        if (installed != null) {
            if (!installed.equals(password)) {
                throw new IllegalStateException("this process already runs quorum members with other peer"
                        + " credentials; one process can host members of one quorum only");
            }
            return;
        }
        if (System.getProperty(PROPERTY) != null) {
            throw new IllegalStateException("this process already has a JAAS configuration ("
                    + System.getProperty(PROPERTY) + "); a quorum member needs its own");
        }
        // one file for the process, outside any member's directory, which may be deleted while others run
        Path file = Files.createTempFile("vessel-quorum-jaas", ".conf",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
        Files.writeString(file, jaas(password), StandardCharsets.UTF_8);
        System.setProperty(PROPERTY, file.toAbsolutePath().toString());
        // with a JAAS file named, every ZooKeeper client in the process tries SASL, finds no "Client" section and
        // logs an error per connection; Vessel's sessions authenticate with digest identities, not SASL
        if (System.getProperty(org.apache.zookeeper.client.ZKClientConfig.ENABLE_CLIENT_SASL_KEY) == null) {
            System.setProperty(org.apache.zookeeper.client.ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        }
        Configuration.getConfiguration().refresh();
        AppConfigurationEntry[] server = Configuration.getConfiguration().getAppConfigurationEntry(SERVER);
        if (server == null || server.length == 0) {
            throw new IllegalStateException("the JAAS configuration " + file + " was not taken up by this process");
        }
        installed = password;
    }

    private static String jaas(String password) {
        if (!password.matches("[0-9a-f]{16,}")) {
            throw new IllegalArgumentException("the peer password is a derived hex string");
        }
        return SERVER + " {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_" + USER + "=\""
                + password + "\";\n};\n" + LEARNER + " {\n  org.apache.zookeeper.server.auth.DigestLoginModule"
                + " required\n  username=\"" + USER + "\"\n  password=\"" + password + "\";\n};\n";
    }
}
