package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import dev.vessel.registry.internal.ZkChildren;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Desired state per service under {@code {root}/deployments}. Every write is a compare-and-set on the znode
 * version: two concurrent changes never lose one; the later one fails with a {@link DeploymentConflictException}.
 */
public final class DeploymentStore {
    private final RegistryConnection connection;

    public DeploymentStore(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    /** The current deployment, or an empty one at revision 0. */
    public Deployment read(String service) {
        return readVersioned(service).deployment();
    }

    /** A deployment with its znode's version (-1: no znode yet), for a conditional write. */
    record Versioned(Deployment deployment, int znodeVersion) {}

    Versioned readVersioned(String service) {
        String path = connection.layout().deployment(service);
        Stat stat = new Stat();
        try {
            byte[] data = connection.curator().getData().storingStatIn(stat).forPath(path);
            return new Versioned(RecordJson.read(data, Deployment.class), stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            return new Versioned(Deployment.empty(service), -1);
        } catch (IOException e) {
            throw new RegistryException("unreadable deployment at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code change} to the current state and writes the result if nothing changed in between.
     *
     * @param expectedRevision the revision the caller decided on, or -1 to accept whatever is current
     * @throws DeploymentConflictException if the revision is not the expected one, or another writer won the race
     */
    public Deployment update(String service, long expectedRevision, UnaryOperator<Deployment> change) {
        Versioned current = readVersioned(service);
        if (expectedRevision >= 0 && current.deployment().revision() != expectedRevision) {
            throw new DeploymentConflictException("deployment of " + service + " is at revision "
                    + current.deployment().revision() + ", not " + expectedRevision + ": someone else changed it; "
                    + "check `vessel history " + service + "` and try again");
        }
        Deployment next = change.apply(current.deployment());
        String path = connection.layout().deployment(service);
        try {
            if (current.znodeVersion() < 0) {
                connection.curator().create().creatingParentContainersIfNeeded().forPath(path, RecordJson.write(next));
            } else {
                connection.curator().setData().withVersion(current.znodeVersion()).forPath(path, RecordJson.write(next));
            }
            return next;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
            throw new DeploymentConflictException("deployment of " + service + " changed while this change was being"
                    + " written (it was at revision " + current.deployment().revision() + "); nothing was written");
        } catch (Exception e) {
            throw new RegistryException("could not write " + path + ": " + e.getMessage(), e);
        }
    }

    /** Services that have a deployment, by name. */
    public List<String> services() {
        try {
            return ZkChildren.sorted(connection.curator(), connection.layout().deployments());
        } catch (Exception e) {
            throw new RegistryException("could not list deployments: " + e.getMessage(), e);
        }
    }
}
