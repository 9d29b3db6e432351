package dev.vessel.protocol.admin;

/**
 * {@code POST /v1/admin/tokens}: a new scoped token. Only the admin token (or an admin-role token) may ask.
 *
 * @param role        {@code admin}, {@code deployer} or {@code viewer}
 * @param services    for a deployer, the services it may change: a name, or a pattern with {@code *}
 * @param description what the token is for, shown in listings
 * @param by          who asked, recorded with the token
 */
public record TokenRequest(String role, String services, String description, String by) {}
