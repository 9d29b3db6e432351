package dev.vessel.test;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.router.VersionRanges;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * Waits for what a test expects of the cluster, polling until a deadline ({@link #DEFAULT_DEADLINE} unless
 * {@link #within}), and fails with what it saw last: {@code cluster.await().service("calc").resolves("[1,2)",
 * "1.1.0")}.
 */
public final class Await {
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 20;

    private final VesselTestCluster cluster;
    private final Duration deadline;

    Await(VesselTestCluster cluster) {
        this(cluster, DEFAULT_DEADLINE);
    }

    private Await(VesselTestCluster cluster, Duration deadline) {
        this.cluster = cluster;
        this.deadline = deadline;
    }

    public Await within(Duration newDeadline) {
        return new Await(cluster, newDeadline);
    }

    /** Until {@code condition} holds; the failure names {@code what} was awaited. */
    public void until(String what, BooleanSupplier condition) {
        until(() -> condition.getAsBoolean() ? null : what + " did not happen");
    }

    public ServiceAwait service(String service) {
        return new ServiceAwait(service);
    }

    /** Expectations about one service, as the cluster's client sees its registered instances. */
    public final class ServiceAwait {
        private final String service;

        private ServiceAwait(String service) {
            this.service = service;
        }

        /** Until a caller with {@code range} is routed to {@code version}: the newest registered version in range. */
        public void resolves(String range, String version) {
            VersionRange versions = VersionRanges.parse(range);
            Version expected = Version.parseVersion(version);
            until(() -> {
                Optional<Version> newest = newest(versions);
                return newest.isPresent() && newest.get().equals(expected) ? null : service + " in " + range
                        + " resolves to " + newest.map(Version::toString).orElse("nothing") + ", not " + expected
                        + "; registered: " + registered();
            });
        }

        /** Until {@code count} instances of {@code version} are registered. */
        public void hasInstances(String version, int count) {
            String expected = Version.parseVersion(version).toString();
            until(() -> {
                long now = cluster.client().instances(service).stream().filter(i -> i.version().equals(expected))
                        .count();
                return now == count ? null : service + " " + expected + " has " + now + " registered instances, not "
                        + count + "; registered: " + registered();
            });
        }

        private Optional<Version> newest(VersionRange range) {
            return cluster.client().instances(service).stream().map(i -> Version.parseVersion(i.version()))
                    .filter(range::includes).max(Version::compareTo);
        }

        private List<String> registered() {
            return cluster.client().instances(service).stream().map(InstanceRecord::id).sorted().toList();
        }
    }

    /** Polls {@code check} (null: satisfied, else what it saw) until it is satisfied or the deadline passes. */
    private void until(Supplier<String> check) {
        long end = System.nanoTime() + deadline.toNanos();
        String seen = check.get();
        while (seen != null) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("after " + deadline.toMillis() + " ms: " + seen);
            }
            try {
                Thread.sleep(POLL_MILLIS); // polling the client's routing table, which watches the registry
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + seen, e);
            }
            seen = check.get();
        }
    }
}
