package dev.vessel.host.internal.rollout;

import dev.vessel.host.internal.desired.DeploymentPlanner;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.host.rollout.InvalidRuleException;
import dev.vessel.host.rollout.PrometheusQuery;
import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.host.rollout.RolloutRuleReader;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.RolloutAction;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.RolloutConflictException;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.RolloutRecord.Event;
import dev.vessel.registry.RolloutRecord.Phase;
import dev.vessel.registry.RolloutStore;
import dev.vessel.registry.RuleRevision;
import dev.vessel.registry.RuleStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.osgi.framework.Version;

/**
 * What people do to rollouts: start a release's rollout under a rule (checked first: the rule, the release, a
 * baseline to measure against, nothing else running), and pause, resume, promote or abort the one running. Each is
 * a conditional write of the rollout record, retried on a race with the driver; the driver does the rest.
 */
public final class RolloutControl {
    private static final int ATTEMPTS = 5;

    private final RolloutStore rollouts;
    private final DeploymentStore deployments;
    private final ReleaseStore releases;
    private final RuleStore rules;
    private final ClusterReader cluster;
    private final NodeMetrics metrics;

    public RolloutControl(RegistryConnection registry, NodeMetrics metrics) {
        this.rollouts = new RolloutStore(registry);
        this.deployments = new DeploymentStore(registry);
        this.releases = new ReleaseStore(registry);
        this.rules = new RuleStore(registry);
        this.cluster = new ClusterReader(registry);
        this.metrics = metrics;
    }

    /** Why a rollout cannot start or a rule cannot apply to it; nothing was written. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /** Why an action does not fit the rollout as it stands (none running, already ended). */
    public static final class NotApplicable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotApplicable(String message) {
            super(message);
        }
    }

    public Optional<RolloutRecord> read(String service) {
        return rollouts.read(service).map(RolloutStore.Stored::record);
    }

    public AdminAnswers.RolloutStarted<RolloutRecord> start(String service, RolloutAction action, String by) {
        if (action.version() == null) {
            throw new IllegalArgumentException("version is required to start a rollout");
        }
        String version = Version.parseVersion(action.version()).toString();
        String yaml;
        String source;
        if (action.yaml() != null) {
            yaml = action.yaml();
            source = action.ruleSource() == null ? "the rule given" : action.ruleSource();
        } else {
            RuleRevision stored = rules.read(service).orElseThrow(() -> new Refused("no rule was given and "
                    + service + " has none stored (vessel rule set " + service + " FILE)"));
            yaml = stored.yaml();
            source = "revision " + stored.revision() + " of the rule of " + service;
        }
        RolloutRule rule;
        try {
            rule = RolloutRuleReader.read(yaml, source);
        } catch (InvalidRuleException e) {
            throw new Refused("nothing was written: " + String.join("; ", e.problems()));
        }
        // a dry run's release was checked and not stored
        if (!Boolean.TRUE.equals(action.dryRun()) && releases.get(service, version).isEmpty()) {
            throw new IllegalArgumentException("there is no release " + service + " " + version
                    + "; create it first (POST /v1/admin/releases)");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return start(service, version, rule, yaml, source, action, by);
            } catch (RolloutConflictException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private AdminAnswers.RolloutStarted<RolloutRecord> start(String service, String version, RolloutRule rule,
            String yaml, String source, RolloutAction action, String by) {
        Optional<RolloutStore.Stored> current = rollouts.read(service);
        if (current.isPresent() && !current.get().record().phase().ended()) {
            RolloutRecord running = current.get().record();
            throw new NotApplicable("the rollout of " + service + " " + running.version() + " is "
                    + running.phase() + "; it must end first (vessel rollout abort " + service + ")");
        }
        Deployment desired = deployments.read(service);
        if (desired.version(version).isPresent()) {
            throw new IllegalArgumentException(service + " " + version + " is already deployed; a rollout brings a"
                    + " release that is not deployed yet next to the version it replaces");
        }
        Version canary = Version.parseVersion(version);
        String baseline = desired.versions().stream().map(v -> Version.parseVersion(v.version()))
                .filter(v -> v.getMajor() == canary.getMajor() && v.compareTo(canary) < 0)
                .max(Comparator.naturalOrder()).map(Version::toString).orElse(null);
        if (baseline == null) {
            throw new Refused(source + " rolls " + version + " out next to the version it replaces, but " + service
                    + " has no lower version of major " + canary.getMajor() + " deployed ("
                    + (desired.versions().isEmpty() ? "nothing is deployed" : "deployed: " + desired.versions()
                            .stream().map(DeployedVersion::version).toList())
                    + "); deploy it without a rule (vessel deploy --no-rule)");
        }
        checkQueries(rule, service, baseline, source);
        if (rule.nodes().isPresent() && action.nodes() != null && !action.nodes().equals(DeployedVersion.ALL_NODES)) {
            throw new IllegalArgumentException("the rule names the nodes (" + rule.nodes().get().selector()
                    + "); do not give nodes as well (" + action.nodes() + ")");
        }
        List<NodeRecord> live = cluster.nodes();
        String requested = action.nodes() == null ? DeployedVersion.ALL_NODES : action.nodes();
        String firstNodes;
        try {
            firstNodes = NodeBatches.first(rule, requested, live);
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage());
        }
        DeployedVersion entry = new DeployedVersion(version, rule.steps().get(0).weight(), firstNodes,
                action.maxConcurrency() == null ? 0 : action.maxConcurrency(),
                action.cpu() == null ? 0 : action.cpu(), action.cpuLimit() == null ? 0 : action.cpuLimit());
        AdminAnswers.RolloutPlan plan = new AdminAnswers.RolloutPlan(service, version, baseline, rule.describe(),
                batches(rule, firstNodes, live));
        if (Boolean.TRUE.equals(action.dryRun())) {
            return new AdminAnswers.RolloutStarted<>(true, null, plan);
        }
        long now = System.currentTimeMillis();
        String what = "started by " + by + " under " + source + ": " + version + " at weight " + entry.weight()
                + " next to " + baseline + " on " + firstNodes;
        RolloutRecord record = new RolloutRecord(service, version, baseline, yaml, source, Phase.STARTING, 0, 0, now,
                0, 0, false, by, null, List.of(), List.of(new Event(now, what, desired.revision() + 1)));
        RolloutStore.Written written = rollouts.write(current.orElse(null), record, d -> d.next(
                DeploymentPlanner.deploy(d, entry), "rollout of " + version + " under " + source + ": weight "
                        + entry.weight() + (firstNodes.equals(DeployedVersion.ALL_NODES) ? "" : " on " + firstNodes),
                by));
        return new AdminAnswers.RolloutStarted<>(null, written.rollout().record(), plan);
    }

    /**
     * Asks the user's Prometheus each query gate of the rule, the baseline standing in for the canary (which has no
     * series before it runs): a query that fails or has no series would judge nothing, so the rule is refused.
     */
    public static void checkQueries(RolloutRule rule, String service, String baseline, String source) {
        if (rule.analysis().isEmpty()) {
            return;
        }
        for (RolloutRule.QueryGate gate : rule.analysis().get().queries()) {
            String query = PrometheusQuery.expand(gate.query(), service, baseline, baseline);
            try {
                PrometheusQuery.value(rule.analysis().get().prometheus().orElseThrow(), query);
            } catch (PrometheusQuery.Unanswered e) {
                throw new Refused("nothing was written: " + source + ": the gate query " + query + " (checked with"
                        + " {{canary}} as " + baseline + ", the baseline, which runs now): " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Refused("interrupted while checking the gate query " + query);
            }
        }
    }

    private static List<String> batches(RolloutRule rule, String first, List<NodeRecord> live) {
        List<String> batches = new ArrayList<>();
        batches.add(first);
        String nodes = first;
        Optional<List<String>> next;
        while ((next = NodeBatches.next(rule, nodes, live)).isPresent()) {
            List<String> added = new ArrayList<>(next.get());
            added.removeAll(List.of(nodes.split(",")));
            batches.add(String.join(",", added));
            nodes = String.join(",", next.get());
        }
        return batches;
    }

    /** {@code pause}, {@code resume}, {@code promote} or {@code abort} the service's rollout. */
    public RolloutRecord act(String service, String action, String by) {
        for (int attempt = 1; ; attempt++) {
            try {
                return actOnce(service, action, by);
            } catch (RolloutConflictException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private RolloutRecord actOnce(String service, String action, String by) {
        RolloutStore.Stored stored = rollouts.read(service).orElseThrow(() -> new NotApplicable(service
                + " has no rollout (vessel deploy --rule starts one)"));
        RolloutRecord rollout = stored.record();
        if (rollout.phase().ended()) {
            throw new NotApplicable("the rollout of " + service + " " + rollout.version() + " already ended: "
                    + rollout.phase() + (rollout.outcome() == null ? "" : " (" + rollout.outcome() + ")"));
        }
        long now = System.currentTimeMillis();
        Function<String, Event> event = what -> new Event(now, what + " by " + by, 0);
        RolloutRecord next;
        switch (action) {
            case "pause" -> {
                if (rollout.phase() == Phase.PAUSED) {
                    return rollout;
                }
                next = rollout.withPhase(Phase.PAUSED, now, null).with(event.apply("paused at step "
                        + (rollout.step() + 1)));
            }
            case "resume" -> {
                if (rollout.phase() != Phase.PAUSED) {
                    return rollout;
                }
                // the step starts again: its hold and its failed evaluations from before the pause are not counted
                next = (rollout.stepSince() == 0 ? rollout.withPhase(Phase.STARTING, now, null)
                        : rollout.atStep(rollout.step(), now)).with(event.apply("resumed"));
            }
            case "promote" -> {
                if (rollout.phase() == Phase.STARTING) {
                    throw new NotApplicable("the rollout of " + service + " " + rollout.version() + " is still"
                            + " starting its release; promote it once it runs its first step");
                }
                next = rollout.atStep(rollout.step(), rollout.stepSince()).withPromoteAsked(true)
                        .with(event.apply("promote asked at step " + (rollout.step() + 1)));
            }
            case "abort" -> {
                long revision = deployments.read(service).revision() + 1;
                String why = "aborted by " + by + ": " + rollout.version() + " retired";
                next = rollout.withPhase(Phase.ABORTED, now, why).with(new Event(now, why, revision));
                RolloutRecord aborted = rollouts.write(stored, next, d -> d.version(rollout.version()).isEmpty() ? d
                        : d.next(DeploymentPlanner.retire(d, rollout.version()), "rollout of " + rollout.version()
                                + " " + why, by, List.of(rollout.version()))).rollout().record();
                metrics.rolloutEnded(Phase.ABORTED.name());
                return aborted;
            }
            default -> throw new IllegalArgumentException("action must be start, pause, resume, promote or abort;"
                    + " got " + action);
        }
        return rollouts.write(stored, next, null).rollout().record();
    }
}
