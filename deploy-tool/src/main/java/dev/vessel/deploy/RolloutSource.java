package dev.vessel.deploy;

import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RegistryConnection;
import java.io.Closeable;

/**
 * What a rollout reads of the cluster while it follows a change: from ZooKeeper through the command's own
 * session, or from a node's admin API (no session: what a command of a cluster `vessel up` recorded does).
 */
public interface RolloutSource extends Closeable {
    /** The service's current desired state. */
    Deployment deployment(String service);

    /** How far the cluster is from {@code target}, one revision of a service's desired state. */
    Convergence convergence(Deployment target);

    /** Returns once something may have changed, or after {@code millis}. */
    void awaitChange(long millis) throws InterruptedException;

    /** The wait is over: stops whatever {@link #awaitChange} started watching. */
    default void endWait() {}

    @Override
    void close();

    /** Reads the registry; wakes on every change under the registry root. */
    static RolloutSource zooKeeper(RegistryConnection registry) {
        return new RolloutSource() {
            private final ClusterReader cluster = new ClusterReader(registry);
            private ClusterEvents events;

            @Override
            public Deployment deployment(String service) {
                return new DeploymentStore(registry).read(service);
            }

            @Override
            public Convergence convergence(Deployment target) {
                return Convergence.of(cluster, target);
            }

            @Override
            public void awaitChange(long millis) throws InterruptedException {
                if (events == null) {
                    events = new ClusterEvents(registry); // only a rollout that has to wait watches
                }
                events.awaitChange(millis);
            }

            @Override
            public void endWait() {
                if (events != null) {
                    events.close();
                    events = null;
                }
            }

            @Override
            public void close() {
                endWait();
            }
        };
    }

    /**
     * Asks a node ({@code GET /v1/admin/deployments/{service}}, {@code /rollouts/{service}?revision=N}), again
     * every {@link #NODE_POLL_MILLIS} while waiting: a node has no way to tell a client of a change, and a
     * rollout on an idle node settles in a few hundred milliseconds.
     */
    static RolloutSource node(AdminClient admin) {
        return new RolloutSource() {
            @Override
            public Deployment deployment(String service) {
                return admin.deployment(service);
            }

            @Override
            public Convergence convergence(Deployment target) {
                return admin.rollout(target.service(), target.revision()).convergence();
            }

            @Override
            public void awaitChange(long millis) throws InterruptedException {
                Thread.sleep(Math.max(1, Math.min(millis, NODE_POLL_MILLIS)));
            }

            @Override
            public void close() {
                // nothing held between requests
            }
        };
    }

    /** How often a rollout followed through a node asks again. */
    long NODE_POLL_MILLIS = 50;
}
