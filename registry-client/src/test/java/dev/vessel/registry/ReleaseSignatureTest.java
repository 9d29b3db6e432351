package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a release signature binds, and every way the trust policy finds one wanting. */
class ReleaseSignatureTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    private final KeyPair key = SigningKeys.generate();
    private final String keyId = SigningKeys.id(key.getPublic());
    private final TrustPolicy policy = TrustPolicy.initial().withKey(new TrustPolicy.TrustedKey(keyId,
            SigningKeys.encode(key.getPublic()), "calc*", "test", 0, null)).withMode("calc", TrustPolicy.Mode.REQUIRE);

    private static ReleaseManifest manifest(String service, String version, String... digests) {
        List<BundleRef> bundles = java.util.Arrays.stream(digests).map(d -> new BundleRef("b" + d.charAt(0), "1.0.0",
                d, 1, d.charAt(0) + ".jar", null)).toList();
        return new ReleaseManifest(service, version, "p", bundles, List.of(), "", false, "test", 0);
    }

    @Test
    void aSignatureCoversItsServiceVersionAndEveryDigestInAnyOrder() {
        ReleaseSignature signature = ReleaseSignature.sign("calc", "1.0.0", List.of(B, A), key.getPrivate(), keyId);
        assertThat(signature.verifiedBy(key.getPublic())).isTrue();
        assertThat(policy.check(manifest("calc", "1.0.0", A, B), Optional.of(signature)).problem()).isNull();
        assertThat(policy.check(manifest("calc", "1.0.0", A, B), Optional.of(signature)).signer()).isEqualTo(keyId);
        assertThat(policy.check(manifest("calc", "1.0.0", A), Optional.of(signature)).problem())
                .contains("is for other bundles");
        assertThat(policy.check(manifest("calc", "1.0.1", A, B), Optional.of(signature)).refused()).isTrue();
    }

    @Test
    void aTamperedOrForeignSignatureIsRefused() {
        ReleaseSignature signature = ReleaseSignature.sign("calc", "1.0.0", List.of(A), key.getPrivate(), keyId);
        ReleaseSignature tampered = new ReleaseSignature("calc", "1.0.0", List.of(A), keyId,
                ReleaseSignature.sign("calc", "2.0.0", List.of(A), key.getPrivate(), keyId).signature());
        assertThat(policy.check(manifest("calc", "1.0.0", A), Optional.of(tampered)).problem())
                .contains("does not verify with key " + keyId);
        KeyPair other = SigningKeys.generate();
        ReleaseSignature foreign = ReleaseSignature.sign("calc", "1.0.0", List.of(A), other.getPrivate(),
                SigningKeys.id(other.getPublic()));
        assertThat(policy.check(manifest("calc", "1.0.0", A), Optional.of(foreign)).problem())
                .contains("which the cluster does not trust");
        assertThat(policy.check(manifest("calc", "1.0.0", A), Optional.empty()).refused()).isTrue();
        assertThat(policy.check(manifest("calc", "1.0.0", A), Optional.of(signature)).refused()).isFalse();
    }

    @Test
    void revocationAndModesDecideWhatARefusalMeans() {
        ReleaseSignature signature = ReleaseSignature.sign("calc", "1.0.0", List.of(A), key.getPrivate(), keyId);
        TrustPolicy revoked = policy.withRevoked(keyId, 1);
        assertThat(revoked.check(manifest("calc", "1.0.0", A), Optional.of(signature)).problem())
                .contains("which was revoked");
        assertThat(revoked.check(manifest("calc-web", "1.0.0", A), Optional.empty()))
                .satisfies(verdict -> assertThat(verdict.refused()).as("warn: reported, not refused").isFalse())
                .satisfies(verdict -> assertThat(verdict.problem()).contains("is not signed"));
        assertThat(policy.withMode("calc", TrustPolicy.Mode.OFF).check(manifest("calc", "1.0.0", A),
                Optional.empty()).problem()).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> revoked.withKey(revoked.keys().get(0)))
                .hasMessageContaining("a revoked key is never trusted again");
    }
}
