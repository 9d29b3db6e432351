package dev.vessel.host.internal.quorum;

import dev.vessel.host.internal.fs.OwnerOnly;
import dev.vessel.host.NodeConfig;
import dev.vessel.registry.TlsTrust;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The TLS part of a quorum member's {@code zoo.cfg}, written on every start from the node's key and trust stores.
 *
 * <ul>
 *   <li>Peer traffic (following the leader, elections) is TLS only, mutually authenticated ({@code sslQuorum}); a
 *       peer without a certificate the trust store accepts cannot even open the connection. The SASL peer
 *       password is still checked inside it.</li>
 *   <li>The client port serves TLS through ZooKeeper's Netty connection factory, and plain sessions on the same
 *       port too ({@code client.portUnification}). That is forced by dynamic reconfiguration: the membership lines
 *       that {@code reconfig} writes and every client follows name one client port per member, and ZooKeeper
 *       serves that port in plain text; a separate {@code secureClientPort} would be a port no membership line
 *       names, so no client could follow it. Vessel's own sessions (nodes, routers, the CLI) use TLS whenever the
 *       cluster has TLS; a plain session gets what any stranger gets (docs/security.md): nothing under the
 *       registry root, which its ACLs close.</li>
 *   <li>The stores' passwords are in files beside {@code zoo.cfg}, readable by this user only, never in it.</li>
 * </ul>
 *
 * <p>ZooKeeper copies {@code zoo.cfg} keys it does not know into process-wide {@code zookeeper.*} system
 * properties, which is where its TLS code reads them: every member in one process shares one set of stores.
 */
final class QuorumTls {
    private static final String FACTORY = "serverCnxnFactory";
    private static final List<String> KEYS = List.of(FACTORY, "client.portUnification", "sslQuorum", "ssl.");

    private QuorumTls() {}

    /** Rewrites the TLS lines of {@code config}: the ones for {@code tls}, or none when it is null. */
    static synchronized void configure(Path dir, Path config, NodeConfig.Tls tls) throws IOException {
        String running = System.getProperty("zookeeper.ssl.keyStore.location", "");
        if (tls != null) {
            // read now: a wrong password is named here, not as peers that never connect
            TlsTrust.load(tls.keyStore(), tls.keyStorePassword(), "key store");
            TlsTrust.load(tls.trustStore(), tls.trustStorePassword(), "trust store");
        }
        String wanted = tls == null ? "" : tls.keyStore().toAbsolutePath().toString();
        if (!running.isEmpty() && !running.equals(wanted)) {
            throw new IllegalStateException("this process already runs quorum members with the key store " + running
                    + (tls == null ? " and this one has no TLS" : "") + "; one process can host members of one quorum"
                    + " only");
        }
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(config, StandardCharsets.US_ASCII)) {
            if (KEYS.stream().noneMatch(line::startsWith)) {
                kept.add(line);
            }
        }
        if (tls != null) {
            Path secrets = OwnerOnly.directory(dir.resolve("tls"));
            Path keyPassword = secret(secrets.resolve("key-store.password"), tls.keyStorePassword());
            Path trustPassword = secret(secrets.resolve("trust-store.password"), tls.trustStorePassword());
            for (Map.Entry<String, String> setting : settings(tls, keyPassword, trustPassword).entrySet()) {
                kept.add(setting.getKey() + "=" + setting.getValue());
            }
        }
        Files.write(config, kept, StandardCharsets.US_ASCII);
    }

    private static Map<String, String> settings(NodeConfig.Tls tls, Path keyPassword, Path trustPassword) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(FACTORY, "org.apache.zookeeper.server.NettyServerCnxnFactory");
        settings.put("client.portUnification", "true");
        // a client proves who it is with its digest identity; it needs no key of its own, only the trust store
        settings.put("ssl.clientAuth", "none");
        settings.put("sslQuorum", "true");
        for (String prefix : List.of("ssl.", "ssl.quorum.")) {
            settings.put(prefix + "keyStore.location", tls.keyStore().toAbsolutePath().toString());
            settings.put(prefix + "keyStore.passwordPath", keyPassword.toAbsolutePath().toString());
            settings.put(prefix + "keyStore.type", "PKCS12");
            settings.put(prefix + "trustStore.location", tls.trustStore().toAbsolutePath().toString());
            settings.put(prefix + "trustStore.passwordPath", trustPassword.toAbsolutePath().toString());
            settings.put(prefix + "trustStore.type", "PKCS12");
        }
        return settings;
    }

    private static Path secret(Path file, String value) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, value, StandardCharsets.UTF_8);
        return file;
    }

    /** Forgets the process-wide TLS settings once no member runs here, so a later one may use other stores. */
    static synchronized void clearProcessSettings() {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.equals("zookeeper." + FACTORY) || name.equals("zookeeper.client.portUnification")
                    || name.startsWith("zookeeper.ssl.")) {
                System.clearProperty(name);
            }
        }
    }
}
