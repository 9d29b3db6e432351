package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A scoped access token as the registry keeps it: never the token itself, only its {@link #verifier} (the SHA-256
 * of the token's text; the token holds 256 random bits, so no slower hash is needed), with what it allows.
 *
 * <p>A token's text is {@code vessel_<id>_<secret>}: the id finds its record, the whole text is checked against the
 * verifier. {@link Role#DEPLOYER} changes the services whose names match {@link #services} (a pattern where
 * {@code *} stands for any characters), {@link Role#VIEWER} reads, {@link Role#ADMIN} does everything the
 * cluster's admin token does.
 *
 * @param id          12 lower-case hex characters, the token's name in listings and for revocation
 * @param role        what it allows
 * @param services    for a deployer, the pattern of the services it may change; {@code *} for the others
 * @param verifier    SHA-256 of the token's text, lower-case hex
 * @param description what it is for, as its creator said
 * @param createdBy   who created it
 * @param created     when, in epoch milliseconds
 */
public record AccessToken(String id, Role role, String services, String verifier, String description,
        String createdBy, long created) {
    /** What a token allows. */
    public enum Role {
        /** Everything the cluster's admin token allows, token management included. */
        ADMIN,
        /** Uploads, and deploy, promote, retire, rollback, configuration, rules and rollouts of matching services. */
        DEPLOYER,
        /** The reads the viewer token allows. */
        VIEWER;

        /** {@code admin}, {@code deployer} or {@code viewer}, in any case. */
        public static Role of(String name) {
            requireNonNull(name, "role cannot be null");
            for (Role role : values()) {
                if (role.name().equalsIgnoreCase(name.trim())) {
                    return role;
                }
            }
            throw new IllegalArgumentException("a token's role is admin, deployer or viewer; got " + Text.quote(name));
        }
    }

    /** Every token's text starts with this. */
    public static final String PREFIX = "vessel_";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{12}");
    private static final Pattern SERVICES = Pattern.compile("[A-Za-z0-9._*-]{1,128}");

    public AccessToken {
        requireNonNull(id, "id cannot be null");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a token id is 12 lower-case hex characters; got " + Text.quote(id));
        }
        requireNonNull(role, "role cannot be null");
        services = role == Role.DEPLOYER ? requireServices(services) : "*";
        requireNonNull(verifier, "verifier cannot be null");
        description = description == null ? "" : description;
        createdBy = createdBy == null ? "unknown" : createdBy;
    }

    /** A service pattern: letters, digits, {@code . _ -} and {@code *}. */
    public static String requireServices(String pattern) {
        if (pattern == null || !SERVICES.matcher(pattern).matches()) {
            throw new IllegalArgumentException("a deployer's services are a name pattern of letters, digits, '.', '_',"
                    + " '-' and '*' (any characters), such as 'calc' or 'payments-*'; got " + Text.quote(pattern));
        }
        return pattern;
    }

    /** Whether this token may change {@code service}: any service for an admin, those matching for a deployer. */
    public boolean mayChange(String service) {
        return switch (role) {
            case ADMIN -> true;
            case VIEWER -> false;
            case DEPLOYER -> matches(services, service);
        };
    }

    /** Whether {@code service} matches {@code pattern}, where {@code *} stands for any characters. */
    public static boolean matches(String pattern, String service) {
        return service != null && Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q")).matcher(service)
                .matches();
    }

    /** The text of a new token, and its record. */
    public record Issued(String token, AccessToken record) {}

    /** A new token with a fresh id and secret. */
    public static Issued issue(Role role, String services, String description, String createdBy) {
        SecureRandom random = new SecureRandom();
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        HexFormat hex = HexFormat.of();
        String token = PREFIX + hex.formatHex(id) + "_" + hex.formatHex(secret);
        return new Issued(token, new AccessToken(hex.formatHex(id), role, services, verifier(token), description,
                createdBy, System.currentTimeMillis()));
    }

    /** The id a token's text names, if it has the form of a scoped token. */
    public static java.util.Optional<String> idOf(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() != PREFIX.length() + 12 + 1 + 64
                || token.charAt(PREFIX.length() + 12) != '_') {
            return java.util.Optional.empty();
        }
        String id = token.substring(PREFIX.length(), PREFIX.length() + 12);
        return ID.matcher(id).matches() ? java.util.Optional.of(id) : java.util.Optional.empty();
    }

    /** Whether {@code token} is this record's token, compared in constant time. */
    public boolean verifies(String token) {
        return MessageDigest.isEqual(verifier(token).getBytes(StandardCharsets.US_ASCII),
                verifier.getBytes(StandardCharsets.US_ASCII));
    }

    /** SHA-256 of a token's text, lower-case hex. */
    public static String verifier(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8))).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
