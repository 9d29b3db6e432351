package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's trust in release signers, at {@code {root}/trust}: the keys trusted to sign releases, each for the
 * services its pattern matches, and whether a service's releases must be signed ({@link Mode#REQUIRE}), should be
 * ({@link Mode#WARN}: a missing or bad signature is reported, the release goes on) or need not be
 * ({@link Mode#OFF}). A cluster without a record has no keys and {@code WARN} for every service.
 *
 * @param keys     trusted keys, revoked ones included (a revoked key signs nothing new)
 * @param mode     the mode of services without one of their own
 * @param services modes per service name
 */
public record TrustPolicy(List<TrustedKey> keys, Mode mode, Map<String, Mode> services) {
    /** How much a signature matters. */
    public enum Mode {
        REQUIRE, WARN, OFF;

        /** {@code require}, {@code warn} or {@code off}, in any case. */
        public static Mode of(String name) {
            for (Mode mode : values()) {
                if (name != null && mode.name().equalsIgnoreCase(name.trim())) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("a signature policy is require, warn or off; got " + Text.quote(name));
        }
    }

    /**
     * A key trusted to sign releases of the services {@code services} matches ({@code *}: any characters).
     *
     * @param publicKey base64 of the key's X.509 encoding
     * @param revoked   when it was revoked (epoch milliseconds), or null while it is valid
     */
    public record TrustedKey(String id, String publicKey, String services, String addedBy, long added, Long revoked) {
        public TrustedKey {
            requireNonNull(id, "id cannot be null");
            SigningKeys.publicKey(publicKey); // refuses what is not a key
            AccessToken.requireServices(services);
        }

        @JsonIgnore
        public boolean valid() {
            return revoked == null;
        }
    }

    /** What the policy says of one release: its mode, who signed it (if anyone verifiably did) and what is wrong. */
    public record Verdict(Mode mode, String signer, String problem) {
        /** Whether the release may not be stored or started. */
        public boolean refused() {
            return mode == Mode.REQUIRE && problem != null;
        }
    }

    public TrustPolicy {
        keys = List.copyOf(keys == null ? List.of() : keys);
        mode = mode == null ? Mode.WARN : mode;
        services = Map.copyOf(services == null ? Map.of() : services);
    }

    /** The policy of a cluster that never set one: no keys, {@code WARN} everywhere. */
    public static TrustPolicy initial() {
        return new TrustPolicy(List.of(), Mode.WARN, Map.of());
    }

    public Mode mode(String service) {
        return services.getOrDefault(service, mode);
    }

    public Optional<TrustedKey> key(String id) {
        return keys.stream().filter(key -> key.id().equals(id)).findFirst();
    }

    /** This policy with {@code key} trusted (a second key beside the first is how keys are rotated). */
    public TrustPolicy withKey(TrustedKey key) {
        if (key(key.id()).isPresent()) {
            throw new IllegalArgumentException("key " + key.id() + " is trusted already"
                    + (key(key.id()).get().valid() ? "" : " and was revoked; a revoked key is never trusted again"));
        }
        List<TrustedKey> more = new ArrayList<>(keys);
        more.add(key);
        return new TrustPolicy(more, mode, services);
    }

    /** This policy with key {@code id} revoked at {@code when}. */
    public TrustPolicy withRevoked(String id, long when) {
        TrustedKey key = key(id).orElseThrow(() -> new IllegalArgumentException("no trusted key " + id));
        if (!key.valid()) {
            throw new IllegalArgumentException("key " + id + " is revoked already");
        }
        List<TrustedKey> changed = new ArrayList<>(keys);
        changed.set(keys.indexOf(key), new TrustedKey(key.id(), key.publicKey(), key.services(), key.addedBy(),
                key.added(), when));
        return new TrustPolicy(changed, mode, services);
    }

    /** This policy with {@code service}'s mode set, or the default mode when {@code service} is null. */
    public TrustPolicy withMode(String service, Mode newMode) {
        if (service == null) {
            return new TrustPolicy(keys, newMode, services);
        }
        Map<String, Mode> changed = new LinkedHashMap<>(services);
        changed.put(RegistryLayout.requireName(service, "service"), newMode);
        return new TrustPolicy(keys, mode, changed);
    }

    /** Checks {@code signature} (if any) of the release {@code manifest} against the trusted keys. */
    public Verdict check(ReleaseManifest manifest, Optional<ReleaseSignature> signature) {
        Mode applies = mode(manifest.service());
        if (applies == Mode.OFF) {
            return new Verdict(applies, signature.map(ReleaseSignature::keyId).orElse(null), null);
        }
        String release = manifest.service() + " " + manifest.version();
        if (signature.isEmpty()) {
            return new Verdict(applies, null, release + " is not signed");
        }
        ReleaseSignature signed = signature.get();
        if (!signed.covers(manifest)) {
            return new Verdict(applies, null, "the signature of " + release + " is for other bundles");
        }
        Optional<TrustedKey> key = key(signed.keyId());
        if (key.isEmpty()) {
            return new Verdict(applies, null, release + " is signed by key " + signed.keyId() + ", which the cluster"
                    + " does not trust");
        }
        if (!signed.verifiedBy(SigningKeys.publicKey(key.get().publicKey()))) {
            return new Verdict(applies, null, "the signature of " + release + " does not verify with key "
                    + signed.keyId());
        }
        if (!key.get().valid()) {
            return new Verdict(applies, signed.keyId(), release + " is signed by key " + signed.keyId()
                    + ", which was revoked");
        }
        if (!AccessToken.matches(key.get().services(), manifest.service())) {
            return new Verdict(applies, signed.keyId(), "key " + signed.keyId() + " signs services matching "
                    + Text.quote(key.get().services()) + ", not " + Text.quote(manifest.service()));
        }
        return new Verdict(applies, signed.keyId(), null);
    }

    /** For messages: the mode as the CLI spells it. */
    public static String name(Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }
}
