package dev.vessel.registry;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 release-signing keys (the JDK's own provider): a public key travels as the base64 of its X.509
 * encoding, a private key as the base64 of its PKCS#8 encoding, and a key's id is the first 16 hex characters
 * of the SHA-256 of its public encoding.
 */
public final class SigningKeys {
    /** The signature algorithm of release signatures. */
    public static final String ALGORITHM = "Ed25519";

    private SigningKeys() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }

    public static String encode(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static String encode(PrivateKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** @throws IllegalArgumentException if {@code base64} is not an Ed25519 public key */
    public static PublicKey publicKey(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode(base64.trim())));
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("not an " + ALGORITHM + " public key (base64 of its X.509 encoding, as"
                    + " `vessel key generate` writes it)");
        }
    }

    /** @throws IllegalArgumentException if {@code base64} is not an Ed25519 private key */
    public static PrivateKey privateKey(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(base64.trim())));
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("not an " + ALGORITHM + " private key (base64 of its PKCS#8 encoding,"
                    + " as `vessel key generate` writes it)");
        }
    }

    /** The id of a public key: 16 hex characters of the SHA-256 of its encoding. */
    public static String id(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
