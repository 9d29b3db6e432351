package dev.vessel.cli;

import dev.vessel.registry.ClusterOverview;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * How a read verb reads the cluster, the one seam for all of them: a node of the cluster `vessel up` recorded, over
 * its admin API with the recorded token ({@link NodeReads}), and, when there is none or none answers, the CLI's
 * own ZooKeeper session, opened only then and closed with this object. Either way the records are the same: the
 * node reads them with its own session. {@code vessel rollout status} and the rollout verbs follow the same rule
 * through {@code RolloutSource}.
 */
final class ClusterReads implements AutoCloseable {
    private final ClusterOptions cluster;
    private RegistryConnection session;

    private ClusterReads(ClusterOptions cluster) {
        this.cluster = cluster;
    }

    static ClusterReads of(ClusterOptions cluster) {
        return new ClusterReads(cluster);
    }

    /** Every node and container ({@code vessel status}). */
    ClusterOverview status() {
        return NodeReads.status(cluster).orElseGet(() -> fromZooKeeper(registry ->
                ClusterOverview.read(new ClusterReader(registry), cluster.connectString())));
    }

    /** The service's desired state with its history ({@code Deployment.empty} when it has none). */
    Deployment deployment(String service) {
        return NodeReads.deployment(cluster, service).orElseGet(() -> fromZooKeeper(registry ->
                new DeploymentStore(registry).read(service)));
    }

    /** Every release of {@code service}, or of every service when it is null. */
    List<ReleaseManifest> releases(String service) {
        return NodeReads.releases(cluster, service).orElseGet(() -> fromZooKeeper(registry -> {
            ReleaseStore store = new ReleaseStore(registry);
            List<ReleaseManifest> releases = new ArrayList<>();
            for (String name : service != null ? List.of(service) : store.services()) {
                releases.addAll(store.list(name));
            }
            return releases;
        }));
    }

    /** The service's release signatures, and the trust policy to read them against. */
    dev.vessel.protocol.admin.AdminAnswers.Signatures<dev.vessel.registry.ReleaseSignature,
            dev.vessel.registry.TrustPolicy> signatures(String service) {
        return NodeReads.signatures(cluster, service).orElseGet(() -> fromZooKeeper(registry -> {
            dev.vessel.registry.TrustStore trust = new dev.vessel.registry.TrustStore(registry);
            return new dev.vessel.protocol.admin.AdminAnswers.Signatures<>(trust.signatures(service), trust.policy());
        }));
    }

    /** The service's current configuration (secret values masked). */
    ConfigurationRevision configuration(String service) {
        return NodeReads.configuration(cluster, service).orElseGet(() -> fromZooKeeper(registry ->
                new ConfigurationStore(registry).read(service)));
    }

    /** Every revision of the service's configuration, oldest first (secret values masked). */
    List<ConfigurationRevision> configurationHistory(String service) {
        return NodeReads.configurationHistory(cluster, service).orElseGet(() -> fromZooKeeper(registry ->
                new ConfigurationStore(registry).history(service)));
    }

    /**
     * One revision of the service's configuration (0 is the empty one).
     *
     * @throws IllegalArgumentException if the service has no such revision, saying which it is at
     */
    ConfigurationRevision configurationRevision(String service, long revision) {
        Optional<List<ConfigurationRevision>> history = revision == 0 ? Optional.of(List.of())
                : NodeReads.configurationHistory(cluster, service);
        if (history.isEmpty()) {
            return fromZooKeeper(registry -> new ConfigurationStore(registry).revision(service, revision));
        }
        if (revision == 0) {
            return ConfigurationRevision.empty(service);
        }
        return history.get().stream().filter(r -> r.revision() == revision).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("configuration of " + service + " has no revision "
                        + revision + " (it is at " + (history.get().isEmpty() ? 0
                                : history.get().get(history.get().size() - 1).revision()) + ")"));
    }

    /** Node records, node statuses and the registered instances, as stored. */
    ClusterReader.Snapshot records() {
        return NodeReads.records(cluster).orElseGet(() -> fromZooKeeper(registry ->
                new ClusterReader(registry).snapshot()));
    }

    /**
     * The service's registered instances as a node has them, for a one-shot router; empty when no recorded node
     * answers: a router then watches the registry itself, which a call needs no snapshot for.
     */
    Optional<List<InstanceRecord>> instancesFromNode(String service) {
        return NodeReads.instances(cluster, service);
    }

    private <T> T fromZooKeeper(Function<RegistryConnection, T> read) {
        if (session == null) {
            session = cluster.connect();
        }
        return read.apply(session);
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
