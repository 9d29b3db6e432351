package dev.vessel.host.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.NodeConfig;
import dev.vessel.host.SelfSignedTls;
import dev.vessel.registry.RegistryAccessDeniedException;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryException;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.RegistryTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members with the cluster's key and trust stores: they form a quorum whose peer ports speak only mutually
 * authenticated TLS, the quorum manager still sees every member, a session over TLS that trusts the cluster's
 * certificate reads the registry, and one that trusts another certificate never connects.
 */
class QuorumTlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<QuorumMembership> members = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = members.size() - 1; i >= 0; i--) {
            members.get(i).close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private QuorumMembership start(String name, boolean found, String known, SelfSignedTls.Files tls)
            throws IOException {
        QuorumMembership.Settings settings = new QuorumMembership.Settings(found, freePort(), freePort(), freePort(),
                3, Duration.ofSeconds(2), Duration.ofSeconds(30));
        NodeConfig.Tls stores = tls.nodeTls();
        QuorumMembership member = QuorumMembership.start(settings, dir.resolve(name), known, "127.0.0.1",
                QuorumTesting.TOKEN, "/vessel", stores, new RegistryTls(tls.trustStore(), tls.trustStorePassword()));
        members.add(member);
        member.join(name, "default");
        return member;
    }

    @Test
    void membersTalkTlsToEachOtherAndToClientsThatTrustTheCluster() throws Exception {
        SelfSignedTls.Files tls = SelfSignedTls.generate(dir.resolve("tls"), List.of());
        QuorumMembership first = start("n1", true, null, tls);
        QuorumMembership second = start("n2", false, first.connectString(), tls);
        QuorumMembership third = start("n3", false, first.connectString(), tls);
        RegistryTls trusting = new RegistryTls(tls.trustStore(), tls.trustStorePassword());
        RegistryCredentials reader = RegistryCredentials.forReader(RegistryCredentials.readerSecret(
                QuorumTesting.TOKEN));
        String all = first.connectString() + "," + second.self().clientAddress() + "," + third.self().clientAddress();

        // the quorum grows over TLS-only peer links: the manager probes and promotes as without TLS
        try (RegistryConnection registry = RegistryConnection.connect(all, RegistryLayout.defaultLayout(), TIMEOUT,
                reader, trusting)) {
            await().atMost(TIMEOUT).ignoreExceptions().until(() -> EnsembleView.parse(registry.curator().getConfig()
                    .forEnsemble()).voters().keySet().equals(Set.of(1L, second.self().id(), third.self().id())));
            assertThat(registry.curator().getChildren().forPath("/vessel/quorum/members")).hasSize(3);
            assertThat(registry.curator().getZookeeperClient().getZooKeeper().getClientConfig()
                    .getBoolean("zookeeper.client.secure")).as("this session is TLS").isTrue();
            // the reader identity still changes nothing
            assertThatThrownBy(() -> registry.curator().create().forPath("/vessel/evil"))
                    .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
        }

        // a session that does not trust the cluster's certificate gets no session at all
        SelfSignedTls.Files other = SelfSignedTls.generate(dir.resolve("other"), List.of());
        assertThatThrownBy(() -> RegistryConnection.connect(all, RegistryLayout.defaultLayout(), Duration.ofSeconds(5),
                reader, new RegistryTls(other.trustStore(), other.trustStorePassword())))
                .isInstanceOf(RegistryException.class).hasMessageContaining("over TLS")
                .isNotInstanceOf(RegistryAccessDeniedException.class);

        // a peer port speaks TLS, and only with a peer presenting a certificate the cluster trusts: the cluster's
        // key completes the handshake, a client without a certificate is refused
        int peerPort = first.self().peerPort();
        try (SSLSocket peer = (SSLSocket) context(tls, true).getSocketFactory().createSocket("127.0.0.1", peerPort)) {
            peer.startHandshake();
            assertThat(peer.getSession().getProtocol()).startsWith("TLS");
        }
        assertThatThrownBy(() -> {
            try (SSLSocket anonymous = (SSLSocket) context(tls, false).getSocketFactory().createSocket("127.0.0.1",
                    peerPort)) {
                anonymous.setSoTimeout(5_000);
                anonymous.startHandshake();
                // TLS 1.3 reports a refused client certificate on the first read
                assertThat(anonymous.getInputStream().read()).isEqualTo(-1);
            }
        }).isInstanceOfAny(SSLException.class, java.net.SocketException.class);
        // the members' probes keep working on the client port (four-letter words in plain text on it)
        assertThat(FourLetterWordMain.send4LetterWord("127.0.0.1", first.self().clientPort(), "srvr", false, 5_000))
                .contains("Mode: ");
        // and no store password was written into zoo.cfg
        assertThat(Files.readString(dir.resolve("n1").resolve("zoo.cfg"))).contains("sslQuorum=true")
                .doesNotContain(tls.keyStorePassword()).doesNotContain(tls.trustStorePassword());
    }

    private static SSLContext context(SelfSignedTls.Files tls, boolean withKey) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.trustStore())) {
            trust.load(in, tls.trustStorePassword().toCharArray());
        }
        TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusted.init(trust);
        KeyManagerFactory keys = null;
        if (withKey) {
            KeyStore key = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(tls.keyStore())) {
                key.load(in, tls.keyStorePassword().toCharArray());
            }
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(key, tls.keyStorePassword().toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trusted.getTrustManagers(), null);
        return context;
    }
}
