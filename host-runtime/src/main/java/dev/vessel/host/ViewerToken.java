package dev.vessel.host;

import dev.vessel.registry.RegistryCredentials;

/**
 * The cluster's read-only token, derived from its admin token (HMAC-SHA256, one-way, like the registry reader
 * secret): it opens the dashboard and the admin API's reads ({@code GET /v1/admin/dashboard},
 * {@code /cluster/status}, {@code /deployments/{service}}, {@code /instances/{service}},
 * {@code /releases}) and nothing else. Every node that
 * has the admin token accepts it, so it can be handed to whoever should watch a rollout without being able to
 * change one; it changes with the admin token.
 */
public final class ViewerToken {
    private ViewerToken() {}

    public static String of(String adminToken) {
        return RegistryCredentials.derive(adminToken, "vessel dashboard viewer");
    }
}
