package dev.vessel.protocol.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The bodies of the admin API's answers, as the node writes them and the {@code vessel} command reads them
 * ({@link AdminJson#readAnswer}). Where an answer carries a registry record (a release manifest, a desired state,
 * a configuration revision, an instance), the record is the type parameter: its shape belongs to the registry, the
 * envelope around it to this contract.
 */
public final class AdminAnswers {
    private AdminAnswers() {}

    /** {@code PUT /v1/admin/artifacts/{sha256}}: the artifact held, and whether this request stored it. */
    public record ArtifactStored(String sha256, long size, boolean created) {}

    /** {@code POST .../artifacts/{sha256}/upload}: the chunks the node still lacks (none once it is complete). */
    public record UploadStatus(boolean complete, List<Integer> missing) {
        public UploadStatus {
            missing = missing == null ? List.of() : List.copyOf(missing);
        }
    }

    /** {@code PUT .../chunks/{i}}: whether the chunk changed anything, and whether the artifact is now complete. */
    public record ChunkStored(int chunk, boolean complete, boolean changed) {}

    /** {@code POST /v1/admin/releases}: the validated manifest, and whether it was stored (never on a dry run). */
    public record ReleaseCreated<M>(M release, boolean created, boolean dryRun) {}

    /** {@code POST /v1/admin/deployments/{service}}: the service's desired state after the change. */
    public record DeploymentChanged<D>(D deployment) {}

    /**
     * {@code POST /v1/admin/configurations/{service}}: the revision written (secret values masked) or, on a dry run,
     * the one that would be.
     *
     * @param dryRun true on a dry run, absent otherwise
     */
    public record ConfigurationChanged<C>(@JsonInclude(JsonInclude.Include.NON_NULL) Boolean dryRun,
            C configuration) {}

    /** {@code GET /v1/admin/instances/{service}}: the service's registered instances. */
    public record Instances<I>(List<I> instances) {}

    /** {@code GET /v1/admin/releases[/{service}]}: release manifests. */
    public record Releases<M>(List<M> releases) {}

    /** {@code GET /v1/admin/configurations/{service}/history}: every revision, oldest first, secrets masked. */
    public record ConfigurationHistory<C>(List<C> history) {}

    /**
     * {@code POST /v1/admin/rollouts/{service}} with {@code start}: the rollout written (null on a dry run) and its
     * plan.
     */
    public record RolloutStarted<R>(@JsonInclude(JsonInclude.Include.NON_NULL) Boolean dryRun, R rollout,
            RolloutPlan plan) {}

    /**
     * What a rollout under a rule will do, in words.
     *
     * @param baseline the version the release is measured against and replaces
     * @param rule     the rule as a person reads it: steps, analysis, gates, nodes, how long it takes
     * @param batches  the nodes the release starts on, batch by batch, as the cluster is now
     */
    public record RolloutPlan(String service, String version, String baseline, List<String> rule,
            List<String> batches) {}

    /** {@code GET /v1/admin/rollouts/{service}?revision=N}: the desired state and how far the cluster is from N. */
    public record Rollout<D, C>(D deployment, C convergence) {}

    /**
     * {@code POST quorum/recover}: the quorum re-founded from the member of the node that answered, now its only
     * voter; the other members stay as observers until the quorum manager makes them voters again.
     *
     * @param member      the surviving member's server id
     * @param observers   the other members' server ids
     * @param fromVersion the configuration version before, in hex as ZooKeeper writes it; {@code toVersion} after
     * @param servers     the member's client address, where the registry is served again
     */
    public record QuorumRecovered(long member, List<Long> observers, String fromVersion, String toVersion,
            String servers) {}

    /** {@code POST rules/{service}}: the rule revision written, or with {@code dryRun} the one it would be. */
    public record RuleChanged<R>(@JsonInclude(JsonInclude.Include.NON_NULL) Boolean dryRun, R rule) {}

    /** {@code GET rules/{service}/history}: every revision of the service's rule, oldest first. */
    public record RuleHistory<R>(List<R> history) {}

    /** A new scoped token: its text, shown this once and stored nowhere, and its record (type parameter). */
    public record TokenIssued<T>(String token, T record) {}

    /** Every scoped token's record, without the tokens themselves. */
    public record Tokens<T>(List<T> tokens) {}

    /** A token revoked, or not there to revoke. */
    public record TokenRevoked(String id, boolean revoked) {}

    /**
     * The cluster's trust policy (type parameter) after a change, or as it is, and the deployed releases whose
     * signer's key is revoked (they run on, but are not stored or started again where signatures are required).
     */
    public record Trust<P>(P policy, List<String> revokedInUse) {}

    /** A service's release signatures (first type parameter) and the policy (second) to read them against. */
    public record Signatures<S, P>(List<S> signatures, P policy) {}
}
