package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

/**
 * A ZooKeeper session over TLS: ZooKeeper's Netty client socket with its certificate checked against one PKCS12
 * trust store (the cluster's own) and its host name against the certificate's subject alternative names. Given
 * per session through Curator ({@code zkClientConfig}), never through the process-wide {@code zookeeper.*}
 * properties, so one process may hold sessions to a TLS quorum and to a plain ZooKeeper side by side.
 *
 * <p>The client presents no certificate: who it is, it says with its digest identity, which TLS now keeps from
 * the network.
 */
public record RegistryTls(Path trustStore, String trustStorePassword) {
    public RegistryTls {
        requireNonNull(trustStore, "trustStore cannot be null");
        requireNonNull(trustStorePassword, "trustStorePassword cannot be null");
        // read now: a wrong password or a file that is not PKCS12 is named here, not as a handshake that never ends
        TlsTrust.load(trustStore, trustStorePassword, "trust store");
    }

    /** A fresh client configuration for one session. */
    public ZKClientConfig clientConfig() {
        ZKClientConfig config = new ZKClientConfig();
        ClientX509Util x509 = new ClientX509Util();
        try {
            config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET,
                    org.apache.zookeeper.ClientCnxnSocketNetty.class.getName());
            config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            config.setProperty(x509.getSslTruststoreLocationProperty(), trustStore.toAbsolutePath().toString());
            config.setProperty(x509.getSslTruststorePasswdProperty(), trustStorePassword);
            config.setProperty(x509.getSslTruststorePasswdPathProperty(), "");
            config.setProperty(x509.getSslTruststoreTypeProperty(), "PKCS12");
            config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), "true");
            // a node's process also runs a server whose key store ZooKeeper published as process-wide properties,
            // which this config picked up: a client says who it is with its digest identity, not that key
            config.setProperty(x509.getSslKeystoreLocationProperty(), "");
            config.setProperty(x509.getSslKeystorePasswdProperty(), "");
            config.setProperty(x509.getSslKeystorePasswdPathProperty(), "");
        } finally {
            x509.close();
        }
        return config;
    }

    @Override
    public String toString() {
        return "RegistryTls[trustStore=" + trustStore + "]";
    }
}
