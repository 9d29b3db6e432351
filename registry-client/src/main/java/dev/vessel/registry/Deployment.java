package dev.vessel.registry;

import dev.vessel.registry.internal.RecordJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The desired state of one service, stored at {@code {root}/deployments/{service}}: which versions run where
 * and with what weight, its revision, and the history of earlier revisions (newest last, bounded).
 *
 * @param service  service name
 * @param revision increases by one with every change
 * @param versions desired versions
 * @param history  every revision so far including this one, oldest first, at most {@link #HISTORY_LIMIT}
 */
public record Deployment(String service, long revision, List<DeployedVersion> versions,
        List<DeploymentRevision> history) {
    public static final int HISTORY_LIMIT = 50;
    /** Most bytes a deployment record (current state and history) may take as JSON. */
    public static final int HISTORY_BYTES = 256 * 1024;
    /** Most versions one service may have deployed at once. */
    public static final int MAX_VERSIONS = 64;

    public Deployment {
        RegistryLayout.requireName(service, "service");
        versions = List.copyOf(versions);
        history = List.copyOf(history);
    }

    public static Deployment empty(String service) {
        return new Deployment(service, 0, List.of(), List.of());
    }

    public Optional<DeployedVersion> version(String version) {
        return versions.stream().filter(v -> v.version().equals(version)).findFirst();
    }

    public Optional<DeploymentRevision> revision(long number) {
        return history.stream().filter(r -> r.revision() == number).findFirst();
    }

    /** The next revision with {@code newVersions}, recorded in the history as {@code action} by {@code by}. */
    public Deployment next(List<DeployedVersion> newVersions, String action, String by) {
        return next(newVersions, action, by, List.of());
    }

    /**
     * The versions the current revision {@link DeploymentRevision#withdrawn withdrew} at once; empty when it withdrew
     * none.
     */
    public List<String> withdrawn() {
        return history.isEmpty() || history.get(history.size() - 1).revision() != revision ? List.of()
                : history.get(history.size() - 1).withdrawn();
    }

    /** As {@link #next(List, String, String)}, taking {@code withdrawn} away at once. */
    public Deployment next(List<DeployedVersion> newVersions, String action, String by, List<String> withdrawn) {
        if (newVersions.size() > MAX_VERSIONS) {
            throw new IllegalArgumentException(service + " would have " + newVersions.size() + " versions deployed;"
                    + " at most " + MAX_VERSIONS + " may be: retire some first");
        }
        long next = revision + 1;
        List<DeploymentRevision> newHistory = new ArrayList<>(history);
        newHistory.add(new DeploymentRevision(next, newVersions, action, by, System.currentTimeMillis(), withdrawn));
        while (newHistory.size() > HISTORY_LIMIT) {
            newHistory.remove(0);
        }
        Deployment result = new Deployment(service, next, newVersions, newHistory);
        // and within a byte budget, far under ZooKeeper's 1 MB znode limit: a history that grew past it would make
        // every later change of the service fail, rollback included
        while (result.history.size() > 1 && RecordJson.write(result).length > HISTORY_BYTES) {
            result = new Deployment(service, next, newVersions, result.history.subList(1, result.history.size()));
        }
        return result;
    }
}
