package dev.vessel.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of Vessel's HTTPS: an {@link SSLContext} that trusts exactly the certificates of one PKCS12
 * trust store (the cluster's own, for {@code vessel up --tls} the one it generated), not the JDK's default
 * authorities. Host names are still verified against each certificate's subject alternative names.
 */
public final class TlsTrust {
    private TlsTrust() {}

    /**
     * @throws IllegalArgumentException naming the file when it cannot be read, is not PKCS12, the password is
     *                                  wrong, or it holds no certificate
     */
    public static SSLContext context(Path trustStore, String password) {
        KeyStore store = load(trustStore, password, "trust store");
        try {
            if (store.size() == 0) {
                throw new IllegalArgumentException("trust store " + trustStore + " holds no certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use trust store " + trustStore + ": " + e.getMessage(), e);
        }
    }

    /** Loads a PKCS12 store, with an error that says which file and why. */
    public static KeyStore load(Path file, String password, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " " + file + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + " as PKCS12 with the password"
                    + " given: " + e.getMessage(), e);
        }
    }
}
