package dev.vessel.deploy;

import static java.util.Objects.requireNonNull;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.RolloutAction;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.RolloutRecord;
import java.time.Duration;

/**
 * A deploy that follows a rollout rule: the node checks the rule and starts the rollout; the cluster's rollout driver
 * runs it; this follows it, told each step and evaluation, until it is promoted or rolled back. Whether the caller
 * waits or not, the rollout goes on in the cluster.
 */
public final class RuleRollout {
    /** How often a followed rollout is read. */
    static final Duration POLL = Duration.ofMillis(250);

    private final AdminClient admin;

    public RuleRollout(AdminClient admin) {
        this.admin = requireNonNull(admin, "admin cannot be null");
    }

    /** Which rule a deploy follows. */
    public sealed interface Choice {
        /** A rule's text, from a file. */
        record Given(String yaml, String source) implements Choice {}

        /** The service's stored rule, when it has one; else a plain deploy. */
        record StoredIfAny() implements Choice {}

        /** No rule, even when the service has one stored. */
        record None() implements Choice {}
    }

    /** Told what changes while a rollout is followed. */
    public interface Listener {
        void event(RolloutRecord.Event event);

        void evaluation(RolloutRecord.Evaluation evaluation);
    }

    /**
     * Whether a deploy of {@code release} follows a rule: a given one, or the service's stored one when asked to.
     */
    public boolean applies(Choice choice, ReleaseManifest release) {
        if (choice instanceof Choice.Given) {
            return true;
        }
        if (choice instanceof Choice.None) {
            return false;
        }
        try {
            admin.rule(release.service());
            return true;
        } catch (AdminException e) {
            if (ErrorCode.NOT_FOUND.name().equals(e.code())) {
                return false;
            }
            throw e;
        }
    }

    /** Starts the rollout (or, with {@code dryRun}, only checks it and answers its plan). */
    public AdminAnswers.RolloutStarted<RolloutRecord> start(ReleaseManifest release, Choice choice,
            Rollout.Request request) {
        String yaml = choice instanceof Choice.Given given ? given.yaml() : null;
        String source = choice instanceof Choice.Given given ? given.source() : null;
        return admin.startRollout(release.service(), new RolloutAction("start", release.version(), yaml, source,
                request.nodes(), request.maxConcurrency() == 0 ? null : request.maxConcurrency(),
                request.cpu() == 0 ? null : request.cpu(), request.cpuLimit() == 0 ? null : request.cpuLimit(),
                request.dryRun() ? true : null, request.by()));
    }

    /**
     * Reads the service's rollout until it ends or {@code timeout} passes (null: until it ends), telling
     * {@code listener} every event and evaluation it had not told yet.
     *
     * @param from the rollout as started: what it already held is not told again
     */
    public RolloutRecord follow(RolloutRecord from, Duration timeout, Listener listener) throws InterruptedException {
        return follow(() -> admin.rolloutAnalysis(from.service()), from, timeout, listener);
    }

    /** As {@link #follow(RolloutRecord, Duration, Listener)}, reading the rollout with {@code read}. */
    public static RolloutRecord follow(java.util.function.Supplier<RolloutRecord> read, RolloutRecord from,
            Duration timeout, Listener listener) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        RolloutRecord seen = from;
        from.events().forEach(listener::event);
        while (true) {
            RolloutRecord now = read.get();
            if (now.startedAt() != from.startedAt() || !now.version().equals(from.version())) {
                return seen; // another rollout replaced it: this one ended before it was seen to
            }
            tellNew(seen, now, listener);
            seen = now;
            if (now.phase().ended() || System.nanoTime() - deadline >= 0) {
                return now;
            }
            Thread.sleep(POLL.toMillis()); // polling a node's answer on a period: nothing to wait on but time
        }
    }

    private static void tellNew(RolloutRecord before, RolloutRecord now, Listener listener) {
        long lastEvaluation = before.evaluations().isEmpty() ? Long.MIN_VALUE
                : before.evaluations().get(before.evaluations().size() - 1).at();
        now.evaluations().stream().filter(e -> e.at() > lastEvaluation).forEach(listener::evaluation);
        // events are only ever appended
        now.events().subList(Math.min(before.events().size(), now.events().size()), now.events().size())
                .forEach(listener::event);
    }
}
