package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * A detached signature of one release: its service, version and the SHA-256 of every bundle, signed with Ed25519.
 * Nodes fetch a bundle only by its SHA-256 and verify every chunk against it, so a signature over the digests
 * covers every byte the node will run. Stored at {@code {root}/signatures/{service}/{version}} beside the
 * release's manifest; written by {@code vessel release sign}.
 *
 * @param service   the release's service
 * @param version   its version
 * @param bundles   the SHA-256 of every bundle, lower-case hex, sorted
 * @param keyId     the signing key's id ({@link SigningKeys#id})
 * @param signature Ed25519 over {@link #statement}, base64
 */
public record ReleaseSignature(String service, String version, List<String> bundles, String keyId,
        String signature) {
    public ReleaseSignature {
        RegistryLayout.requireName(service, "service");
        requireNonNull(version, "version cannot be null");
        requireNonNull(bundles, "bundles cannot be null");
        bundles = bundles.stream().map(RegistryLayout::requireSha256).sorted().toList();
        requireNonNull(keyId, "keyId cannot be null");
        requireNonNull(signature, "signature cannot be null");
    }

    /** Signs a release with {@code key}, whose public half has the id {@code keyId}. */
    public static ReleaseSignature sign(String service, String version, List<String> bundles, PrivateKey key,
            String keyId) {
        List<String> sorted = bundles.stream().sorted().toList();
        try {
            Signature signer = Signature.getInstance(SigningKeys.ALGORITHM);
            signer.initSign(key);
            signer.update(statement(service, version, sorted));
            return new ReleaseSignature(service, version, sorted, keyId,
                    Base64.getEncoder().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /** What is signed: one line each for a format tag, the service, the version and every digest, sorted. */
    public static byte[] statement(String service, String version, List<String> sortedBundles) {
        StringBuilder text = new StringBuilder("vessel-release-signature-v1\n").append(service).append('\n')
                .append(version).append('\n');
        sortedBundles.forEach(digest -> text.append(digest).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code key} made this signature over exactly this statement. */
    public boolean verifiedBy(PublicKey key) {
        try {
            Signature verifier = Signature.getInstance(SigningKeys.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(statement(service, version, bundles));
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // not a key of this algorithm, or not base64: not a signature by it
        }
    }

    /** Whether it names exactly this manifest's service, version and bundles. */
    public boolean covers(ReleaseManifest manifest) {
        return service.equals(manifest.service()) && version.equals(manifest.version())
                && MessageDigest.isEqual(String.join(",", bundles).getBytes(StandardCharsets.US_ASCII),
                        String.join(",", manifest.bundles().stream().map(BundleRef::sha256).sorted().toList())
                                .getBytes(StandardCharsets.US_ASCII));
    }
}
