package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import dev.vessel.registry.internal.RevisionPointer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * Rollout rule revisions per service under {@code {root}/rules/{service}}, kept as configuration revisions are: the
 * service's znode holds the number of its current revision, each revision is a child written once, and a new
 * revision and the move of the number to it are one transaction conditional on the service znode's version, so of
 * two writers that started from the same revision one wins and the other gets a {@link RuleConflictException}.
 * The store keeps text; whether it is a valid rule is for whoever writes it to check first.
 */
public final class RuleStore {
    private final RegistryConnection connection;

    public RuleStore(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    private RevisionPointer current(String service) {
        return RevisionPointer.read(connection.curator(), connection.layout().rule(service), "rule");
    }


    /** The service's current rule, if it has one. */
    public Optional<RuleRevision> read(String service) {
        long revision = current(service).revision();
        return revision == 0 ? Optional.empty() : Optional.of(revision(service, revision));
    }

    /**
     * One revision of the service's rule.
     *
     * @throws IllegalArgumentException if the service has no such revision
     */
    public RuleRevision revision(String service, long revision) {
        String path = connection.layout().ruleRevision(service, revision);
        try {
            return RecordJson.read(connection.curator().getData().forPath(path), RuleRevision.class);
        } catch (KeeperException.NoNodeException e) {
            throw new IllegalArgumentException("the rule of " + service + " has no revision " + revision + " (it is at "
                    + current(service).revision() + ")", e);
        } catch (IOException e) {
            throw new RegistryException("unreadable rule revision at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Every revision of the service's rule, oldest first. */
    public List<RuleRevision> history(String service) {
        long last = current(service).revision();
        List<RuleRevision> all = new ArrayList<>();
        for (long r = 1; r <= last; r++) {
            all.add(revision(service, r));
        }
        return all;
    }

    /**
     * Writes {@code yaml} as the service's next rule revision if the current one is still {@code expectedRevision}.
     *
     * @param expectedRevision the revision the caller decided on (0: none yet), or -1 for whatever is current
     * @throws RuleConflictException if the current revision is another one, or became another one while this was
     *                               written; nothing was written then
     */
    public RuleRevision write(String service, long expectedRevision, String yaml, String author, String message) {
        RevisionPointer current = current(service);
        if (expectedRevision >= 0 && current.revision() != expectedRevision) {
            throw new RuleConflictException("the rule of " + service + " is at revision " + current.revision()
                    + ", not " + expectedRevision + ": someone else changed it; check `vessel rule history "
                    + service + "` and try again");
        }
        RuleRevision next = new RuleRevision(service, current.revision() + 1, yaml, author,
                System.currentTimeMillis(), message);
        String pointer = connection.layout().rule(service);
        try {
            var tx = connection.curator().transactionOp();
            List<CuratorOp> ops = new ArrayList<>();
            if (current.znodeVersion() < 0) {
                ensureParent();
            }
            ops.add(current.moveTo(tx, pointer, next.revision()));
            ops.add(tx.create().forPath(connection.layout().ruleRevision(service, next.revision()),
                    RecordJson.write(next)));
            connection.curator().transaction().forOperations(ops);
            return next;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
            throw new RuleConflictException("the rule of " + service + " gained a revision while this one was written"
                    + " (it was at " + current.revision() + "); nothing was written");
        } catch (Exception e) {
            throw new RegistryException("could not write the rule of " + service + ": " + e.getMessage(), e);
        }
    }

    /** A new revision with the text of an earlier one (a rollback never rewrites history). */
    public RuleRevision rollback(String service, long toRevision, long expectedRevision, String author) {
        return write(service, expectedRevision, revision(service, toRevision).yaml(), author,
                "rollback to revision " + toRevision);
    }

    private void ensureParent() throws Exception {
        try {
            connection.curator().create().creatingParentsIfNeeded().forPath(connection.layout().rules());
        } catch (KeeperException.NodeExistsException exists) {
            // the usual case after the first service
        }
    }
}
