package dev.vessel.router.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a client balances and fails over within a version.
 *
 * @param virtualNodes     ring points per instance for keyed calls
 * @param loadBound        ε of bounded-load hashing: an instance with more than (1+ε)× the average calls in flight
 *                         takes no further keyed calls
 * @param failuresToEject  consecutive failed calls that eject an instance
 * @param baseEjection     first ejection's length; each further one doubles it
 * @param maxEjection      longest ejection
 * @param maxEjectedShare  largest share of a version's instances ejected at once (0-1)
 */
public record RoutingPolicy(
        int virtualNodes,
        double loadBound,
        int failuresToEject,
        Duration baseEjection,
        Duration maxEjection,
        double maxEjectedShare) {

    public static final RoutingPolicy DEFAULT =
            new RoutingPolicy(200, 0.25, 3, Duration.ofSeconds(1), Duration.ofSeconds(30), 0.5);

    public RoutingPolicy {
        if (virtualNodes < 1 || virtualNodes > 10_000) {
            throw new IllegalArgumentException("virtualNodes must be 1-10000; got " + virtualNodes);
        }
        if (!(loadBound > 0) || Double.isInfinite(loadBound)) {
            throw new IllegalArgumentException("loadBound (ε) must be a positive number; got " + loadBound);
        }
        if (failuresToEject < 1) {
            throw new IllegalArgumentException("failuresToEject must be at least 1; got " + failuresToEject);
        }
        requireNonNull(baseEjection, "baseEjection cannot be null");
        requireNonNull(maxEjection, "maxEjection cannot be null");
        if (baseEjection.isNegative() || baseEjection.isZero() || maxEjection.compareTo(baseEjection) < 0) {
            throw new IllegalArgumentException("ejection intervals must satisfy 0 < base <= max; got base "
                    + baseEjection + ", max " + maxEjection);
        }
        if (!(maxEjectedShare >= 0 && maxEjectedShare <= 1)) {
            throw new IllegalArgumentException("maxEjectedShare must be 0-1; got " + maxEjectedShare);
        }
    }

    public RoutingPolicy withVirtualNodes(int nodes) {
        return new RoutingPolicy(nodes, loadBound, failuresToEject, baseEjection, maxEjection, maxEjectedShare);
    }

    public RoutingPolicy withLoadBound(double epsilon) {
        return new RoutingPolicy(virtualNodes, epsilon, failuresToEject, baseEjection, maxEjection, maxEjectedShare);
    }

    public RoutingPolicy withEjection(int failures, Duration base, Duration max, double share) {
        return new RoutingPolicy(virtualNodes, loadBound, failures, base, max, share);
    }
}
