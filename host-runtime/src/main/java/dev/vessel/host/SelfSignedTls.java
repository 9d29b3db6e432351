package dev.vessel.host;

import dev.vessel.host.internal.fs.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A key store and a trust store for a cluster on one machine ({@code vessel up --tls}, tests): one self-signed
 * certificate for every node, valid for {@code localhost}, {@code 127.0.0.1} and the given addresses, made with the
 * JDK's own {@code keytool} so no certificate code of ours is involved. The trust store holds only the
 * certificate, no key, so it can be handed to clients. A fleet across machines brings certificates of its own.
 */
public final class SelfSignedTls {
    private SelfSignedTls() {}

    /** The files made and their passwords; the key store's is a secret, the trust store's only checks integrity. */
    public record Files(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
        public NodeConfig.Tls nodeTls() {
            return new NodeConfig.Tls(keyStore, keyStorePassword, trustStore, trustStorePassword);
        }
    }

    /** Writes {@code node.p12} and {@code trust.p12} into {@code dir}, replacing earlier ones. */
    public static Files generate(Path dir, List<String> addresses) {
        try {
            OwnerOnly.directory(dir);
            Path keyStore = dir.resolve("node.p12");
            Path trustStore = dir.resolve("trust.p12");
            Path certificate = dir.resolve("node.pem");
            for (Path old : List.of(keyStore, trustStore, certificate)) {
                java.nio.file.Files.deleteIfExists(old);
            }
            String keyPassword = randomPassword();
            String trustPassword = randomPassword();
            Set<String> names = new LinkedHashSet<>(List.of("dns:localhost", "ip:127.0.0.1"));
            for (String address : addresses) {
                if (!address.isBlank() && !address.equals("0.0.0.0") && !address.equals("::")) {
                    names.add((address.matches("[0-9.]+") || address.contains(":") ? "ip:" : "dns:") + address);
                }
            }
            keytool(keyPassword, "-genkeypair", "-alias", "vessel-node", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=vessel node", "-ext", "SAN=" + String.join(",", names), "-validity", "825",
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass:env", PASSWORD_VARIABLE);
            keytool(keyPassword, "-exportcert", "-rfc", "-alias", "vessel-node", "-keystore", keyStore.toString(),
                    "-storepass:env", PASSWORD_VARIABLE, "-file", certificate.toString());
            keytool(trustPassword, "-importcert", "-noprompt", "-alias", "vessel-node", "-file",
                    certificate.toString(), "-storetype", "PKCS12", "-keystore", trustStore.toString(),
                    "-storepass:env", PASSWORD_VARIABLE);
            OwnerOnly.file(keyStore); // the node's private key
            return new Files(keyStore, keyPassword, trustStore, trustPassword);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write TLS files to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** keytool reads the password from its environment, never from its command line (which others can see). */
    private static final String PASSWORD_VARIABLE = "VESSEL_STORE_PASSWORD";

    private static void keytool(String password, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(PASSWORD_VARIABLE, password);
        Process process = builder.start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + new String(output, StandardCharsets.UTF_8)
                        .trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while running keytool " + args[0], e);
        }
    }
}
