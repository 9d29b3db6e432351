package dev.vessel.deploy;

import static java.util.Objects.requireNonNull;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A release engineer's operations on the fleet: deploy (upload, validate, change desired state, wait for every
 * targeted node, roll back automatically if any fails, optionally retire what it replaces), promote, retire and
 * roll back. Changes go through a node's admin API; progress is read from the registry or from that node.
 */
public final class Rollout {
    private final AdminClient admin;
    private final RolloutSource cluster;
    private final BiConsumer<String, Convergence> progress;
    private final AdminClient.UploadProgress uploads;

    /**
     * @param progress told the phase and the current convergence whenever the cluster changes while waiting
     */
    public Rollout(AdminClient admin, RegistryConnection registry, BiConsumer<String, Convergence> progress) {
        this(admin, registry, progress, (name, sent, toSend, bytes) -> { });
    }

    /** @param uploads told after every chunk an upload sends */
    public Rollout(AdminClient admin, RegistryConnection registry, BiConsumer<String, Convergence> progress,
            AdminClient.UploadProgress uploads) {
        this(admin, RolloutSource.zooKeeper(requireNonNull(registry, "registry cannot be null")), progress, uploads);
    }

    /** @param cluster where progress is read from: the registry, or the node {@code admin} talks to */
    public Rollout(AdminClient admin, RolloutSource cluster, BiConsumer<String, Convergence> progress,
            AdminClient.UploadProgress uploads) {
        this.admin = requireNonNull(admin, "admin cannot be null");
        this.cluster = requireNonNull(cluster, "cluster cannot be null");
        this.progress = requireNonNull(progress, "progress cannot be null");
        this.uploads = requireNonNull(uploads, "uploads cannot be null");
    }

    /**
     * What {@code vessel deploy} asks for.
     *
     * @param cpu      one container's CPU share in cores, 0 for the default (1, as every container)
     * @param cpuLimit the cores one container may use at most, 0 for the node's cores less its reserve
     */
    public record Request(List<Path> jars, String service, int weight, boolean replace, String nodes, boolean dryRun,
            boolean awaitActive, boolean force, Duration timeout, String by, int chunkSize, int maxConcurrency,
            double cpu, double cpuLimit) {
        public Request(List<Path> jars, String service, int weight, boolean replace, String nodes, boolean dryRun,
                boolean awaitActive, boolean force, Duration timeout, String by, int chunkSize, int maxConcurrency) {
            this(jars, service, weight, replace, nodes, dryRun, awaitActive, force, timeout, by, chunkSize,
                    maxConcurrency, 0, 0);
        }

        public Request(List<Path> jars, String service, int weight, boolean replace, String nodes, boolean dryRun,
                boolean awaitActive, boolean force, Duration timeout, String by, int chunkSize) {
            this(jars, service, weight, replace, nodes, dryRun, awaitActive, force, timeout, by, chunkSize, 0);
        }

        /** With the default chunk size. */
        public Request(List<Path> jars, String service, int weight, boolean replace, String nodes, boolean dryRun,
                boolean awaitActive, boolean force, Duration timeout, String by) {
            this(jars, service, weight, replace, nodes, dryRun, awaitActive, force, timeout, by,
                    AdminClient.DEFAULT_CHUNK_SIZE);
        }
    }

    /**
     * What happened.
     *
     * @param release     the release (validated; stored unless a dry run)
     * @param deployment  the desired state afterwards (null for a dry run)
     * @param ok          everything asked for is in place
     * @param rolledBack  the release failed somewhere and the previous desired state was restored
     * @param failures    per node, why not
     * @param convergence the last progress seen
     */
    public record Result(ReleaseManifest release, Deployment deployment, boolean ok, boolean rolledBack,
            List<String> failures, Convergence convergence, AdminAnswers.RolloutPlan plan, RolloutRecord rollout) {
        public Result(ReleaseManifest release, Deployment deployment, boolean ok, boolean rolledBack,
                List<String> failures, Convergence convergence) {
            this(release, deployment, ok, rolledBack, failures, convergence, null, null);
        }
    }

    public Result deploy(Request request) throws InterruptedException {
        return deploy(request, new RuleRollout.Choice.None(), null, null);
    }

    /**
     * Deploys as {@link #deploy(Request)} does or, when {@code rule} applies, starts the release's rollout under the
     * rule and (unless the request does not wait) follows it to its end or {@code ruleTimeout} (null: its end).
     * The result is ok when the rollout was promoted, rolled back when it was rolled back or aborted.
     */
    public Result deploy(Request request, RuleRollout.Choice rule, RuleRollout.Listener listener,
            Duration ruleTimeout) throws InterruptedException {
        List<AdminClient.Uploaded> uploaded = new ArrayList<>();
        for (Path jar : request.jars()) {
            uploaded.add(admin.upload(jar, request.chunkSize(), uploads));
        }
        ReleaseManifest release = admin.createRelease(uploaded, request.service(), request.force(), request.dryRun(),
                request.by());
        RuleRollout ruled = new RuleRollout(admin);
        if (ruled.applies(rule, release)) {
            AdminAnswers.RolloutStarted<RolloutRecord> started = ruled.start(release, rule, request);
            if (started.rollout() == null || !request.awaitActive()) {
                return new Result(release, null, true, false, List.of(), null, started.plan(), started.rollout());
            }
            RolloutRecord ended = ruled.follow(started.rollout(), ruleTimeout, listener);
            boolean promoted = ended.phase() == RolloutRecord.Phase.PROMOTED;
            boolean rolledBack = ended.phase() == RolloutRecord.Phase.ROLLED_BACK
                    || ended.phase() == RolloutRecord.Phase.ABORTED;
            List<String> failures = promoted ? List.of() : List.of(ended.phase().ended() ? ended.outcome()
                    : "still " + ended.phase() + " at step " + (ended.step() + 1) + " after "
                            + ruleTimeout.toSeconds() + " s; it goes on in the cluster (vessel rollout status "
                            + release.service() + ")");
            return new Result(release, cluster.deployment(release.service()), promoted, rolledBack, failures, null,
                    started.plan(), ended);
        }
        if (request.dryRun()) {
            return new Result(release, null, true, false, List.of(), null);
        }
        long before = cluster.deployment(release.service()).revision();
        Deployment deployed = admin.change(release.service(), new DeploymentChange("deploy", release.version(),
                request.weight(), request.nodes(), before, null, request.by(),
                request.maxConcurrency() == 0 ? null : request.maxConcurrency(),
                request.cpu() == 0 ? null : request.cpu(), request.cpuLimit() == 0 ? null : request.cpuLimit()));
        if (!request.awaitActive()) {
            return new Result(release, deployed, true, false, List.of(), null);
        }
        Convergence reached = await("deploying " + release.service() + " " + release.version(), deployed,
                request.timeout());
        if (!reached.converged()) {
            List<String> failures = reached.failures().isEmpty()
                    ? List.of("not ACTIVE everywhere within " + request.timeout().toSeconds() + " s: " + pending(reached))
                    : reached.failures();
            Deployment restored = before == 0
                    ? admin.change(release.service(), new DeploymentChange("retire", release.version(), null, null,
                            deployed.revision(), null, request.by() + " (automatic rollback)"))
                    : admin.change(release.service(), new DeploymentChange("rollback", null, null, null,
                            deployed.revision(), before, request.by() + " (automatic rollback)"));
            Convergence back = await("rolling back " + release.service() + " " + release.version(), restored,
                    request.timeout());
            return new Result(release, restored, false, true, failures, back);
        }
        if (request.replace()) {
            Deployment replaced = admin.change(release.service(), new DeploymentChange("retire-older",
                    release.version(), null, null, deployed.revision(), null, request.by()));
            reached = await("retiring what " + release.version() + " replaces", replaced, request.timeout());
            return new Result(release, replaced, reached.converged(), false, reached.failures(), reached);
        }
        return new Result(release, deployed, true, false, List.of(), reached);
    }

    /** Applies a change to the desired state and waits (bounded) until the cluster matches it. */
    public Result change(String service, DeploymentChange change, Duration timeout) throws InterruptedException {
        Deployment after = admin.change(service, change);
        Convergence reached = await(change.action() + " " + service
                + (change.version() == null ? "" : " " + change.version()), after, timeout);
        return new Result(null, after, reached.converged(), false, reached.failures(), reached);
    }

    private Convergence await(String phase, Deployment target, Duration timeout) throws InterruptedException {
        return RolloutWatch.watch(cluster, target, timeout, (deployment, now) -> progress.accept(phase, now))
                .convergence();
    }

    private static String pending(Convergence convergence) {
        List<String> pending = new ArrayList<>();
        convergence.nodes().stream().filter(n -> !n.done())
                .forEach(n -> pending.add(n.node() + " " + n.version() + " " + n.state()
                        + (n.registered() ? "" : " (not registered)")));
        convergence.unwanted().forEach(id -> pending.add(id + " still registered"));
        return String.join(", ", pending);
    }
}
