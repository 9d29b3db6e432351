package dev.vessel.protocol.admin;

/**
 * {@code POST /v1/admin/trust}: a change of the cluster's trust in release signers, by an admin.
 *
 * @param action    {@code add-key} (with {@code publicKey} and {@code services}), {@code revoke-key} (with
 *                  {@code keyId}) or {@code mode} (with {@code mode}: require, warn or off, for {@code service} or,
 *                  without one, for every service without a mode of its own)
 * @param publicKey base64 of an Ed25519 public key's X.509 encoding
 * @param services  the services the key signs: a name, or a pattern with {@code *}
 */
public record TrustChange(String action, String publicKey, String services, String keyId, String mode,
        String service, String by) {}
