package dev.vessel.router;

import java.time.Duration;
import java.util.Map;

/**
 * What a {@link VesselClient} did for one service since it started, and how its routing table stands: what
 * {@code dev.vessel.router.metrics.ClientMetrics} exports, for applications that use another metrics library.
 *
 * @param service   the service
 * @param calls     calls by outcome: {@code OK} (a result), {@code REMOTE_ERROR} (the node answered with an error),
 *                  {@code NO_COMPATIBLE_VERSION}, {@code UNAVAILABLE} (no instance took it), {@code FAILED} (it may
 *                  have run and was not retried)
 * @param attempts  attempts sent: first attempts, retries and hedges
 * @param retries   attempts after a call's first, on another instance
 * @param hedges    attempts sent as hedges because the first was slow
 * @param ejections times an instance was ejected after failing
 * @param instances ACTIVE instances in the routing table now
 * @param tableAge  how long ago the routing table last changed (or was loaded)
 * @param retained  instances among {@code instances} that the registry no longer lists, kept after a lost session
 *                  until they fail or the registry grace ends (see {@link VesselClient.Builder#registryGrace})
 */
public record ServiceStatistics(String service, Map<String, Long> calls, long attempts, long retries, long hedges,
        long ejections, int instances, Duration tableAge, int retained) {
    public ServiceStatistics {
        calls = Map.copyOf(calls);
    }

    public ServiceStatistics(String service, Map<String, Long> calls, long attempts, long retries, long hedges,
            long ejections, int instances, Duration tableAge) {
        this(service, calls, attempts, retries, hedges, ejections, instances, tableAge, 0);
    }
}
