package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import dev.vessel.registry.internal.RevisionPointer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * Configuration revisions per service under {@code {root}/configurations/{service}}. The service's znode holds
 * the number of its current revision; each revision is a child written once and never changed. A new revision
 * and the move of the current number to it are one ZooKeeper transaction, conditional on the service znode's
 * version: of two writers that started from the same revision one wins, the other gets a
 * {@link ConfigurationConflictException} and nothing of its change is written.
 */
public final class ConfigurationStore {
    private final RegistryConnection connection;

    public ConfigurationStore(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    private RevisionPointer current(String service) {
        return RevisionPointer.read(connection.curator(), connection.layout().configuration(service), "configuration");
    }


    /** The service's current configuration; the empty revision 0 if none was ever set. */
    public ConfigurationRevision read(String service) {
        return revision(service, current(service).revision());
    }

    /**
     * One revision of the service's configuration.
     *
     * @throws IllegalArgumentException if the service has no such revision
     */
    public ConfigurationRevision revision(String service, long revision) {
        if (revision == 0) {
            return ConfigurationRevision.empty(service);
        }
        String path = connection.layout().configurationRevision(service, revision);
        try {
            return withSecrets(RecordJson.read(connection.curator().getData().forPath(path),
                    ConfigurationRevision.class));
        } catch (KeeperException.NoNodeException e) {
            throw new IllegalArgumentException("configuration of " + service + " has no revision " + revision
                    + " (it is at " + current(service).revision() + ")", e);
        } catch (IOException e) {
            throw new RegistryException("unreadable configuration revision at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Every revision of the service's configuration, oldest first. */
    public List<ConfigurationRevision> history(String service) {
        long last = current(service).revision();
        List<ConfigurationRevision> all = new ArrayList<>();
        for (long r = 1; r <= last; r++) {
            all.add(revision(service, r));
        }
        return all;
    }

    /**
     * Writes a new revision with {@code pids} (the whole configuration: a PID left out is removed) if the current
     * revision is still {@code expectedRevision}.
     *
     * @param expectedRevision the revision the caller's change was made from, or -1 for whatever is current
     * @throws ConfigurationConflictException if the current revision is another one, or became another one
     *                                        while this was written; nothing was written then
     */
    public ConfigurationRevision write(String service, long expectedRevision, Map<String, Map<String, Object>> pids,
            String author, String message) {
        return write(service, expectedRevision, pids, List.of(), author, message);
    }

    /** Like {@link #write(String, long, Map, String, String)}, with properties aimed at some containers only. */
    public ConfigurationRevision write(String service, long expectedRevision, Map<String, Map<String, Object>> pids,
            List<ConfigurationRevision.Target> targets, String author, String message) {
        return write(service, expectedRevision, pids, targets, Map.of(), author, message);
    }

    /**
     * Like {@link #write(String, long, Map, List, String, String)}, with the keys of each PID whose values are
     * secret: the revision's znode holds them masked, and a second znode, created in the same transaction with
     * the registry root's ACL less its read-only entries (so the nodes' identity may read it and the reader's may
     * not), holds the values. On a registry without ACLs that znode is as open as the rest.
     */
    public ConfigurationRevision write(String service, long expectedRevision, Map<String, Map<String, Object>> pids,
            List<ConfigurationRevision.Target> targets, Map<String, List<String>> secrets, String author,
            String message) {
        RevisionPointer current = current(service);
        if (expectedRevision >= 0 && current.revision() != expectedRevision) {
            throw new ConfigurationConflictException("configuration of " + service + " is at revision "
                    + current.revision() + ", not " + expectedRevision + ": someone else changed it; check `vessel"
                    + " config history " + service + "` and try again");
        }
        ConfigurationRevision next = new ConfigurationRevision(service, current.revision() + 1, current.revision(),
                pids, author, System.currentTimeMillis(), message, targets, secrets);
        String pointer = connection.layout().configuration(service);
        try {
            var tx = connection.curator().transactionOp();
            List<CuratorOp> ops = new ArrayList<>();
            if (current.znodeVersion() < 0) {
                ensureParent();
            }
            ops.add(current.moveTo(tx, pointer, next.revision()));
            ops.add(tx.create().forPath(connection.layout().configurationRevision(service, next.revision()),
                    RecordJson.write(next.masked())));
            Map<String, Map<String, Object>> secretValues = next.secretValues();
            if (!secretValues.isEmpty()) {
                ops.add(tx.create().withACL(secretAcl()).forPath(secretPath(service, next.revision()),
                        RecordJson.write(secretValues)));
            }
            connection.curator().transaction().forOperations(ops);
            return next;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
            throw new ConfigurationConflictException("configuration of " + service + " gained a revision while this"
                    + " one was written (it was at " + current.revision() + "); nothing was written");
        } catch (Exception e) {
            throw new RegistryException("could not write configuration of " + service + ": " + e.getMessage(), e);
        }
    }

    /** A new revision with the configuration of an earlier one (rollback never rewrites history). */
    public ConfigurationRevision rollback(String service, long toRevision, long expectedRevision, String author) {
        ConfigurationRevision target = revision(service, toRevision);
        return write(service, expectedRevision, target.pids(), target.targets(), target.secrets(), author,
                "rollback to revision " + toRevision);
    }

    private String secretPath(String service, long revision) {
        return connection.layout().configurationRevision(service, revision).replace("/rev-", "/secrets-");
    }

    /** The root's ACL without the entries that may only read (the reader identity, or anyone on an open one). */
    private List<org.apache.zookeeper.data.ACL> secretAcl() throws Exception {
        List<org.apache.zookeeper.data.ACL> acl = new ArrayList<>();
        for (org.apache.zookeeper.data.ACL entry : connection.curator().getACL().forPath(connection.layout().root())) {
            if (entry.getPerms() != org.apache.zookeeper.ZooDefs.Perms.READ) {
                acl.add(entry);
            }
        }
        return acl.isEmpty() ? org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE : acl;
    }

    /** The revision with its secret values when this session may read them, else masked. */
    private ConfigurationRevision withSecrets(ConfigurationRevision stored) {
        if (stored.secrets().isEmpty()) {
            return stored;
        }
        try {
            byte[] data = connection.curator().getData().forPath(secretPath(stored.service(), stored.revision()));
            return stored.withSecretValues(RecordJson.read(data, SECRET_VALUES));
        } catch (KeeperException.NoAuthException | KeeperException.NoNodeException hidden) {
            return stored;
        } catch (Exception e) {
            throw new RegistryException("could not read the secrets of " + stored.service() + " revision "
                    + stored.revision() + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static final Class<Map<String, Map<String, Object>>> SECRET_VALUES = (Class<Map<String, Map<String,
            Object>>>) (Class<?>) Map.class;

    private void ensureParent() throws Exception {
        try {
            connection.curator().create().creatingParentsIfNeeded().forPath(connection.layout().configurations());
        } catch (KeeperException.NodeExistsException exists) {
            // the usual case after the first service
        }
    }
}
