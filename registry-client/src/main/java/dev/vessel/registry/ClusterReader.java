package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import dev.vessel.registry.internal.ZkChildren;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.KeeperException;

/**
 * One-shot reads of the whole cluster for status displays: nodes, their container status and the registered
 * instances. Routers use {@link InstanceWatch} instead; nothing here is cached.
 */
public final class ClusterReader {
    private final RegistryConnection connection;

    public ClusterReader(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    public List<NodeRecord> nodes() {
        List<NodeRecord> nodes = new ArrayList<>();
        for (String id : children(connection.layout().nodes())) {
            read(connection.layout().node(id), NodeRecord.class).ifPresent(nodes::add);
        }
        return nodes;
    }

    public Optional<NodeStatus> status(String nodeId) {
        return read(connection.layout().status(nodeId), NodeStatus.class);
    }

    /** Registered instances of every service, sorted by service then id. */
    public List<InstanceRecord> instances() {
        List<InstanceRecord> records = new ArrayList<>();
        try {
            for (String service : connection.discovery().queryForNames()) {
                records.addAll(instances(service));
            }
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw new RegistryException("could not list services under " + connection.layout().services(), e);
        }
        return records;
    }

    public List<InstanceRecord> instances(String service) {
        Collection<ServiceInstance<Map<String, String>>> found;
        try {
            found = connection.discovery().queryForInstances(service);
        } catch (Exception e) {
            throw new RegistryException("could not list instances of " + service, e);
        }
        return InstanceRecord.allOf(found);
    }

    private List<String> children(String path) {
        try {
            return ZkChildren.sorted(connection.curator(), path);
        } catch (Exception e) {
            throw new RegistryException("could not list " + path + ": " + e.getMessage(), e);
        }
    }

    private <T> Optional<T> read(String path, Class<T> type) {
        try {
            return Optional.of(RecordJson.read(connection.curator().getData().forPath(path), type));
        } catch (KeeperException.NoNodeException gone) {
            return Optional.empty(); // ephemeral: its owner went away between list and read
        } catch (IOException e) {
            throw new RegistryException("unreadable record at " + path + " (" + ZKPaths.getNodeFromPath(path) + "): "
                    + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }
}
