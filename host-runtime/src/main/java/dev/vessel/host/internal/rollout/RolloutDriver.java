package dev.vessel.host.internal.rollout;

import dev.vessel.host.internal.desired.DeploymentPlanner;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.host.rollout.PrometheusQuery;
import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.host.rollout.RolloutRuleReader;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RolloutConflictException;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.RolloutRecord.Evaluation;
import dev.vessel.registry.RolloutRecord.Event;
import dev.vessel.registry.RolloutRecord.Phase;
import dev.vessel.registry.RolloutRecord.Verdict;
import dev.vessel.registry.RolloutStore;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every service's rollout from its record in the registry. Every node runs one; a Curator
 * {@link LeaderLatch} lets one act, as the quorum manager does. Each tick the acting driver reads each unfinished
 * rollout, and when the rule says so evaluates its gates on the calls every node counted, takes the next step or
 * rolls it back. Each decision is one {@link RolloutStore#write} of the rollout record together with the desired
 * state it changes, conditional on both as they were read: the driver keeps nothing a successor would need, so
 * another node that takes the latch goes on from the recorded step, neither repeating a step nor skipping a gate.
 */
public final class RolloutDriver implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutDriver.class);
    static final Duration TICK = Duration.ofMillis(250);
    /** How long a release's containers may take to become ACTIVE on every node before the rollout is rolled back. */
    static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final RegistryConnection registry;
    private final String nodeId;
    private final RolloutStore rollouts;
    private final DeploymentStore deployments;
    private final ClusterReader cluster;
    private final NodeCalls calls;
    private final NodeMetrics metrics;
    private final LongSupplier clock;
    private final LeaderLatch latch;
    /** The last read of each rollout record and desired state, by path (the driver's thread only). */
    private final Map<String, Read<?>> reads = new java.util.HashMap<>();
    /** Rules parsed, by their text: the same few texts are judged every tick. */
    private final Map<String, RolloutRule> rules = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService loop;

    public RolloutDriver(RegistryConnection registry, String nodeId, NodeCalls calls, NodeMetrics metrics) {
        this(registry, nodeId, calls, metrics, System::currentTimeMillis);
    }

    RolloutDriver(RegistryConnection registry, String nodeId, NodeCalls calls, NodeMetrics metrics,
            LongSupplier clock) {
        this.registry = registry;
        this.nodeId = nodeId;
        this.rollouts = new RolloutStore(registry);
        this.deployments = new DeploymentStore(registry);
        this.cluster = new ClusterReader(registry);
        this.calls = calls;
        this.metrics = metrics;
        this.clock = clock;
        this.latch = new LeaderLatch(registry.curator(), registry.layout().rolloutDriver(), nodeId);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-rollout-driver-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    public RolloutDriver start() {
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("the rollout driver's election could not start: " + e.getMessage(), e);
        }
        loop.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Whether this node drives the cluster's rollouts now. */
    public boolean driving() {
        return latch.hasLeadership();
    }

    private void tick() {
        if (!latch.hasLeadership() || !registry.connected()) {
            reads.clear(); // a driver that acts again reads everything afresh
            return;
        }
        if (rules.size() > 1_000) {
            rules.clear();
        }
        List<String> services;
        try {
            services = rollouts.services();
        } catch (RuntimeException e) {
            LOG.warn("rollout driver on {}: could not list rollouts: {}", nodeId, e.toString());
            return;
        }
        for (String service : services) {
            try {
                drive(service);
            } catch (RolloutConflictException e) {
                LOG.debug("rollout of {} changed while deciding; deciding again from what is stored", service);
            } catch (RuntimeException e) {
                LOG.warn("rollout driver on {}: {}: {}", nodeId, service, e.toString());
            }
        }
    }

    void drive(String service) {
        Optional<RolloutStore.Stored> read = cached(registry.layout().rollout(service), () -> rollouts.read(service));
        if (read.isEmpty() || read.get().record().phase().ended()) {
            return;
        }
        RolloutStore.Stored stored = read.get();
        RolloutRecord rollout = stored.record();
        RolloutRule rule = rules.computeIfAbsent(rollout.rule(), text -> RolloutRuleReader.read(text,
                rollout.ruleSource()));
        Deployment desired = cached(registry.layout().deployment(service),
                () -> Optional.of(deployments.read(service))).orElseGet(() -> Deployment.empty(service));
        long now = clock.getAsLong();
        Optional<DeployedVersion> canary = desired.version(rollout.version());
        if (canary.isEmpty()) {
            end(stored, rollout, Phase.ABORTED, rollout.version() + " was retired outside the rollout (revision "
                    + desired.revision() + ")", null, now);
            return;
        }
        switch (rollout.phase()) {
            case STARTING -> starting(stored, rule, desired, canary.get(), now);
            case RUNNING -> running(stored, rule, desired, canary.get(), now);
            default -> { } // PAUSED: a person holds it
        }
    }

    /**
     * What {@code read} answers for {@code path}, read again only when the znode changed since (its modifying
     * transaction id): a tick reads every rollout and desired state four times a second, and most have not changed.
     * A value read after a newer change than the one its stat names is only read once more.
     */
    @SuppressWarnings("unchecked")
    private <T> Optional<T> cached(String path, java.util.function.Supplier<Optional<T>> read) {
        org.apache.zookeeper.data.Stat stat;
        try {
            stat = registry.curator().checkExists().forPath(path);
        } catch (Exception e) {
            throw new dev.vessel.registry.RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
        if (stat == null) {
            reads.remove(path);
            return read.get();
        }
        Read<?> last = reads.get(path);
        if (last != null && last.mzxid() == stat.getMzxid()) {
            return (Optional<T>) last.value();
        }
        Optional<T> value = read.get();
        reads.put(path, new Read<>(stat.getMzxid(), value));
        return value;
    }

    private record Read<T>(long mzxid, Optional<T> value) {}

    private void starting(RolloutStore.Stored stored, RolloutRule rule, Deployment desired, DeployedVersion canary,
            long now) {
        RolloutRecord rollout = stored.record();
        Convergence convergence = Convergence.of(cluster, desired);
        List<Convergence.NodeProgress> mine = convergence.nodes().stream()
                .filter(n -> n.version().equals(canary.version())).toList();
        List<String> failed = convergence.failures().stream().filter(f -> f.contains(" " + canary.version() + " "))
                .toList();
        if (!failed.isEmpty()) {
            rollBack(stored, rollout, "it did not start: " + String.join("; ", failed), now);
            return;
        }
        boolean active = !mine.isEmpty() && mine.stream().allMatch(Convergence.NodeProgress::done);
        if (!active) {
            if (now - rollout.startedAt() > START_TIMEOUT.toMillis()) {
                rollBack(stored, rollout, "it was not ACTIVE on every node within " + START_TIMEOUT.toMinutes()
                        + " min: " + (mine.isEmpty() ? "no node runs it" : mine.stream().filter(n -> !n.done())
                                .map(n -> n.node() + " " + n.state()).toList()), now);
            }
            return;
        }
        Optional<List<String>> nextBatch = NodeBatches.next(rule, canary.nodes(), cluster.nodes());
        if (nextBatch.isPresent()) {
            String nodes = String.join(",", nextBatch.get());
            rollouts.write(stored, rollout.with(new Event(now, "started on " + nodes, desired.revision() + 1)),
                    d -> d.next(DeploymentPlanner.deploy(d, new DeployedVersion(canary.version(), canary.weight(),
                            nodes, canary.maxConcurrency(), canary.cpu(), canary.cpuLimit())),
                            "rollout of " + canary.version() + ": start on " + nodes, by()));
            return;
        }
        if (rule.analysis().isPresent()) {
            // one read of every node's counts before the first evaluation needs them: the connections to the peers
            // and everything a first read loads are made now, not in the first decision (400 ms, measured)
            calls.read(cluster.nodes().stream().filter(canary::selects).toList(), rollout.service(),
                    rule.analysis().get().window());
        }
        RolloutRule.Step first = rule.steps().get(0);
        rollouts.write(stored, rollout.atStep(0, now).with(new Event(now, "step 1/" + rule.steps().size()
                + ": weight " + first.weight() + hold(first), 0)), null);
    }

    private void running(RolloutStore.Stored stored, RolloutRule rule, Deployment desired, DeployedVersion canary,
            long now) {
        RolloutRecord rollout = stored.record();
        Optional<RolloutRule.Analysis> analysis = rule.analysis();
        RolloutRecord judged = rollout;
        long at = now;
        if (analysis.isPresent() && due(rollout, analysis.get(), now)) {
            Evaluation evaluation = evaluate(rollout, analysis.get(), canary);
            at = evaluation.at(); // what follows is decided on it, and dated with it
            metrics.rolloutEvaluated(evaluation.verdict().name());
            judged = rollout.with(evaluation);
            if (evaluation.verdict() == Verdict.FAIL && judged.failedEvaluations() >= analysis.get().failureLimit()) {
                rollBack(stored, judged, RolloutJudge.failedGates(evaluation) + " (" + judged.failedEvaluations()
                        + " failed evaluation" + (judged.failedEvaluations() == 1 ? "" : "s") + ", failureLimit "
                        + analysis.get().failureLimit() + ")", at);
                return;
            }
        }
        RolloutRule.Step step = rule.steps().get(rollout.step());
        long decidedAt = at;
        boolean held = step.hold().map(h -> decidedAt - rollout.stepSince() >= h.toMillis()).orElse(false);
        boolean judgedWell = analysis.isEmpty() || passedInStep(rollout.stepSince(), judged);
        if (rollout.promoteAsked() || held && judgedWell) {
            advance(stored, judged, rule, canary, desired, at);
        } else if (judged != rollout) {
            rollouts.write(stored, judged, null);
        }
    }

    private static boolean due(RolloutRecord rollout, RolloutRule.Analysis analysis, long now) {
        long last = rollout.stepSince();
        if (!rollout.evaluations().isEmpty()) {
            last = Math.max(last, rollout.evaluations().get(rollout.evaluations().size() - 1).at());
        }
        return now - last >= analysis.interval().toMillis();
    }

    /** Whether the step has been evaluated and its latest evaluation passed: a step is never left on no judgement. */
    private static boolean passedInStep(long stepSince, RolloutRecord rollout) {
        List<Evaluation> evaluations = rollout.evaluations();
        for (int i = evaluations.size() - 1; i >= 0; i--) {
            Evaluation evaluation = evaluations.get(i);
            if (evaluation.at() < stepSince) {
                return false;
            }
            return evaluation.verdict() == Verdict.PASS;
        }
        return false;
    }

    /** Judges the window that ends now, on every node's counts; the evaluation is dated when they were all read. */
    private Evaluation evaluate(RolloutRecord rollout, RolloutRule.Analysis analysis, DeployedVersion canary) {
        long asked = System.nanoTime();
        // the canary's nodes only: canary and baseline are compared over the same window on the same nodes
        List<NodeRecord> nodes = cluster.nodes().stream().filter(canary::selects).toList();
        Map<String, NodeCalls.Reading> readings = calls.read(nodes, rollout.service(), analysis.window());
        CallSample canaryCalls = CallSample.NONE;
        CallSample baselineCalls = CallSample.NONE;
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, NodeCalls.Reading> reading : readings.entrySet()) {
            if (reading.getValue().counts() == null) {
                missing.add(reading.getKey() + ": " + reading.getValue().error());
                continue;
            }
            for (var version : reading.getValue().counts().versions()) {
                if (version.version().equals(rollout.version())) {
                    canaryCalls = canaryCalls.plus(version);
                } else if (version.version().equals(rollout.baseline())) {
                    baselineCalls = baselineCalls.plus(version);
                }
            }
        }
        String note = missing.isEmpty() ? null : "not counted: " + String.join(", ", missing);
        List<RolloutRecord.GateResult> queried = new ArrayList<>();
        List<String> unanswered = new ArrayList<>();
        for (RolloutRule.QueryGate gate : analysis.queries()) {
            String query = PrometheusQuery.expand(gate.query(), rollout.service(), rollout.version(),
                    rollout.baseline());
            try {
                double value = PrometheusQuery.value(analysis.prometheus().orElseThrow(), query);
                queried.add(new RolloutRecord.GateResult(RolloutJudge.QUERY + query, "max", value, null, value,
                        gate.max(), 0, value <= gate.max()));
            } catch (PrometheusQuery.Unanswered e) {
                unanswered.add(query + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unanswered.add(query + ": interrupted");
            }
        }
        return RolloutJudge.judge(analysis, rollout.step(), clock.getAsLong(), canaryCalls, baselineCalls, note,
                queried, unanswered);
    }

    private void advance(RolloutStore.Stored stored, RolloutRecord rollout, RolloutRule rule, DeployedVersion canary,
            Deployment desired, long now) {
        int to = rollout.step() + 1;
        String how = rollout.promoteAsked() ? " (promote asked)" : "";
        if (to >= rule.steps().size()) {
            finish(stored, rollout, rule, canary, desired, now, how);
            return;
        }
        RolloutRule.Step step = rule.steps().get(to);
        boolean last = to == rule.steps().size() - 1;
        if (last && step.hold().isEmpty()) {
            finish(stored, rollout, rule, canary, desired, now, how); // weight 100 and nothing to hold for: done
            return;
        }
        String what = "step " + (to + 1) + "/" + rule.steps().size() + ": weight " + step.weight() + hold(step) + how;
        rollouts.write(stored, rollout.atStep(to, now).with(new Event(now, what, desired.revision() + 1)),
                d -> d.next(DeploymentPlanner.deploy(d, canary.withWeight(step.weight())),
                        "rollout of " + canary.version() + ": " + what, by()));
    }

    /** Every step taken: the release takes all its callers' calls, and the versions it replaces are retired. */
    private void finish(RolloutStore.Stored stored, RolloutRecord rollout, RolloutRule rule, DeployedVersion canary,
            Deployment desired, long now, String how) {
        List<String> retired = desired.versions().stream().map(DeployedVersion::version)
                .filter(v -> promoted(desired, canary).stream().noneMatch(a -> a.version().equals(v))).toList();
        String what = "promoted: weight 100" + (retired.isEmpty() ? "" : ", " + String.join(", ", retired)
                + " retired") + how;
        RolloutRecord done = rollout.atStep(rule.steps().size() - 1, rollout.stepSince())
                .withPhase(Phase.PROMOTED, now, what).with(new Event(now, what, desired.revision() + 1));
        rollouts.write(stored, done, d -> d.next(promoted(d, canary), "rollout of " + canary.version() + " " + what,
                by()));
        metrics.rolloutEnded(Phase.PROMOTED.name());
        LOG.info("rollout of {} {}: {}", rollout.service(), rollout.version(), what);
    }

    /** The canary at weight 100, and the lower versions of its major gone. */
    private static List<DeployedVersion> promoted(Deployment desired, DeployedVersion canary) {
        Deployment atFull = new Deployment(desired.service(), desired.revision(),
                DeploymentPlanner.deploy(desired, canary.withWeight(100)), List.of());
        return DeploymentPlanner.retireOlderOfSameMajor(atFull, canary.version());
    }

    /** The release is retired in one revision: it takes no new call, and what it runs finishes as it drains. */
    private void rollBack(RolloutStore.Stored stored, RolloutRecord rollout, String why, long now) {
        end(stored, rollout, Phase.ROLLED_BACK, "rolled back: " + why, d -> d.next(
                DeploymentPlanner.retire(d, rollout.version()), "rollout of " + rollout.version() + " rolled back: "
                        + why, by(), List.of(rollout.version())), now);
    }

    private void end(RolloutStore.Stored stored, RolloutRecord rollout, Phase phase, String why,
            UnaryOperator<Deployment> change, long now) {
        long revision = change == null ? 0 : deployments.read(rollout.service()).revision() + 1;
        rollouts.write(stored, rollout.withPhase(phase, now, why).with(new Event(now, why, revision)), change);
        metrics.rolloutEnded(phase.name());
        LOG.info("rollout of {} {}: {}", rollout.service(), rollout.version(), why);
    }

    private String by() {
        return "rollout driver on " + nodeId;
    }

    static String hold(RolloutRule.Step step) {
        return step.hold().map(h -> ", hold " + RolloutRuleReader.text(h)).orElse(step.weight() < 100
                ? ", until promoted" : "");
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            latch.close();
        } catch (Exception e) {
            LOG.debug("rollout driver latch did not close cleanly: {}", e.toString());
        }
    }
}
