package dev.vessel.deploy;

import dev.vessel.registry.Convergence;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.RegistryConnection;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Follows a service's rollout from the registry until it settles: the current desired state (re-read on every
 * change, so a newer revision written meanwhile is the one followed) against what every node reports.
 */
public final class RolloutWatch {
    /** How a watch ended. */
    public enum Ending {
        /** Every targeted node runs and registers every desired version; nothing unwanted is registered. */
        SETTLED,
        /** A node reports a desired version FAILED. */
        FAILED,
        /** Neither, when the time was up (or, for a single look, not yet). */
        NOT_SETTLED
    }

    public record Ended(Ending ending, Deployment deployment, Convergence convergence) {}

    private RolloutWatch() {}

    /** One look, without waiting. */
    public static Ended now(RegistryConnection registry, String service) {
        return now(RolloutSource.zooKeeper(registry), service);
    }

    /** One look through {@code source}, without waiting. */
    public static Ended now(RolloutSource source, String service) {
        Deployment deployment = source.deployment(service);
        Convergence convergence = source.convergence(deployment);
        // never deployed: nothing to settle yet (a watch waits for the first revision)
        Ending ending = deployment.history().isEmpty() ? Ending.NOT_SETTLED : ending(convergence);
        return new Ended(ending, deployment, convergence);
    }

    /**
     * Looks again on every change in the registry (at least once a second) until the rollout settles, fails or
     * {@code timeout} passes; {@code progress} sees every look.
     */
    public static Ended watch(RegistryConnection registry, String service, Duration timeout,
            BiConsumer<Deployment, Convergence> progress) throws InterruptedException {
        try (RolloutSource source = RolloutSource.zooKeeper(registry)) {
            return watch(source, service, timeout, progress);
        }
    }

    /** {@link #watch(RegistryConnection, String, Duration, BiConsumer)} through {@code source}. */
    public static Ended watch(RolloutSource source, String service, Duration timeout,
            BiConsumer<Deployment, Convergence> progress) throws InterruptedException {
        return follow(source, () -> now(source, service), timeout, progress);
    }

    /** {@link #watch} for one given desired state (the one a rollout just wrote), not whatever is current. */
    static Ended watch(RolloutSource source, Deployment target, Duration timeout,
            BiConsumer<Deployment, Convergence> progress) throws InterruptedException {
        return follow(source, () -> {
            Convergence convergence = source.convergence(target);
            return new Ended(ending(convergence), target, convergence);
        }, timeout, progress);
    }

    private static Ended follow(RolloutSource source, Supplier<Ended> look, Duration timeout,
            BiConsumer<Deployment, Convergence> progress) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                Ended now = look.get();
                progress.accept(now.deployment(), now.convergence());
                long left = deadline - System.nanoTime();
                if (now.ending() != Ending.NOT_SETTLED || left <= 0) {
                    return now;
                }
                source.awaitChange(Math.min(left / 1_000_000, 1_000));
            }
        } finally {
            source.endWait();
        }
    }

    private static Ending ending(Convergence convergence) {
        if (!convergence.failures().isEmpty()) {
            return Ending.FAILED;
        }
        return convergence.converged() ? Ending.SETTLED : Ending.NOT_SETTLED;
    }
}
