package dev.vessel.host.internal.admin;

import dev.vessel.registry.RegistryLayout;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What one node shows another to read artifacts: {@code Authorization: Vessel-Read <node>.<expiry>.<mac>}, an
 * HMAC-SHA256 over the node id and expiry keyed by a key derived from the cluster's admin token. Every node that
 * has the admin token can issue and check grants; a grant lets its bearer read artifacts (GET and HEAD) for a few
 * minutes and do nothing else. A node therefore never sends the admin token itself to a peer, and whoever
 * collects a grant by posing as a holder gets read access to artifacts until it expires, not the admin API.
 */
public final class ArtifactGrant {
    public static final String SCHEME = "Vessel-Read ";
    /** How long a grant is good for. */
    public static final Duration LIFETIME = Duration.ofMinutes(5);

    private final SecretKeySpec key;
    private final Clock clock;

    public ArtifactGrant(String adminToken, Clock clock) {
        // a key of its own, so nothing signed with it is ever also a proof of the admin token
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(adminToken.getBytes(StandardCharsets.UTF_8),
                "HmacSHA256"), "vessel artifact read grant v1"), "HmacSHA256");
        this.clock = clock;
    }

    /** The {@code Authorization} header value for {@code nodeId}, good for {@link #LIFETIME}. */
    public String issue(String nodeId) {
        RegistryLayout.requireName(nodeId, "node id");
        long expiry = clock.millis() + LIFETIME.toMillis();
        return SCHEME + nodeId + "." + expiry + "." + HexFormat.of().formatHex(hmac(key, nodeId + "." + expiry));
    }

    /** Whether {@code header} is a grant this cluster issued that has not expired. */
    public boolean accepts(String header) {
        if (header == null || !header.startsWith(SCHEME) || header.length() > 256) {
            return false;
        }
        String[] parts = header.substring(SCHEME.length()).trim().split("\\.");
        if (parts.length != 3) {
            return false;
        }
        long expiry;
        byte[] given;
        try {
            expiry = Long.parseLong(parts[1]);
            given = HexFormat.of().parseHex(parts[2]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        long now = clock.millis();
        if (expiry < now || expiry > now + LIFETIME.toMillis() + Duration.ofMinutes(1).toMillis()) {
            return false; // expired, or from a clock (or a forger) too far ahead
        }
        return MessageDigest.isEqual(given, hmac(key, parts[0] + "." + parts[1]));
    }

    private static byte[] hmac(SecretKeySpec key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
