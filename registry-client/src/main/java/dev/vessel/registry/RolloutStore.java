package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import dev.vessel.registry.internal.ZkChildren;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The rollout of each service under {@code {root}/rollouts}. A step of a rollout changes two records, the
 * rollout's and the service's desired state, and both are written in one ZooKeeper transaction, each conditional on
 * the version it was read at: a driver that dies, or loses its session, between deciding and writing has either
 * written both or neither, so the driver that takes over never repeats a promotion nor misses one.
 */
public final class RolloutStore {
    private final RegistryConnection connection;
    private final DeploymentStore deployments;

    public RolloutStore(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
        this.deployments = new DeploymentStore(connection);
    }

    /** A rollout record with the znode version it was read at. */
    public record Stored(RolloutRecord record, int version) {}

    /** What one write left: the rollout, and the desired state (changed or not). */
    public record Written(Stored rollout, Deployment deployment) {}

    /** The service's rollout, running or the last one; empty if it never had one. */
    public Optional<Stored> read(String service) {
        String path = connection.layout().rollout(service);
        Stat stat = new Stat();
        try {
            byte[] data = connection.curator().getData().storingStatIn(stat).forPath(path);
            return Optional.of(new Stored(RecordJson.read(data, RolloutRecord.class), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RegistryException("unreadable rollout at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Services that have a rollout record, by name. */
    public List<String> services() {
        try {
            return ZkChildren.sorted(connection.curator(), connection.layout().rollouts());
        } catch (Exception e) {
            throw new RegistryException("could not list rollouts: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code next} in place of {@code current} and, in the same transaction, {@code deploymentChange} of the
     * service's desired state at the revision it has now.
     *
     * @param current          what the writer read, or null when the service has no rollout record yet
     * @param deploymentChange the change of the desired state, or null to leave it alone
     * @throws RolloutConflictException when either record changed since it was read; nothing was written
     */
    public Written write(Stored current, RolloutRecord next, UnaryOperator<Deployment> deploymentChange) {
        String service = next.service();
        String path = connection.layout().rollout(service);
        List<CuratorOp> ops = new ArrayList<>();
        Deployment deployment;
        try {
            connection.curator().createContainers(connection.layout().rollouts());
            DeploymentStore.Versioned desired = deployments.readVersioned(service);
            deployment = desired.deployment();
            if (deploymentChange != null) {
                deployment = deploymentChange.apply(desired.deployment());
                String deploymentPath = connection.layout().deployment(service);
                if (desired.znodeVersion() < 0) {
                    connection.curator().createContainers(connection.layout().deployments());
                    ops.add(connection.curator().transactionOp().create().forPath(deploymentPath,
                            RecordJson.write(deployment)));
                } else {
                    ops.add(connection.curator().transactionOp().setData().withVersion(desired.znodeVersion())
                            .forPath(deploymentPath, RecordJson.write(deployment)));
                }
            }
            byte[] data = RecordJson.write(next);
            ops.add(current == null ? connection.curator().transactionOp().create().forPath(path, data)
                    : connection.curator().transactionOp().setData().withVersion(current.version())
                            .forPath(path, data));
            connection.curator().transaction().forOperations(ops);
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                | KeeperException.NoNodeException e) {
            throw new RolloutConflictException("the rollout of " + service + " or its desired state changed while"
                    + " this change was being written; nothing was written");
        } catch (RegistryException | IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new RegistryException("could not write " + path + ": " + e.getMessage(), e);
        }
        return new Written(new Stored(next, current == null ? 0 : current.version() + 1), deployment);
    }
}
