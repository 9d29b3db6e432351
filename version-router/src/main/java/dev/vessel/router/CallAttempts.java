package dev.vessel.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.protocol.ErrorBody;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.router.internal.ClientCounters;
import dev.vessel.router.internal.HttpCaller;
import dev.vessel.router.internal.RetryBudget;
import dev.vessel.router.internal.RoutingTable;
import dev.vessel.router.internal.ServiceRoutes;
import dev.vessel.router.internal.Target;
import dev.vessel.router.internal.Tried;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.VersionRange;

/**
 * The attempt loop of {@link VesselClient}: attempts, hedging, racing and what each answer means. One per client;
 * thread-safe (its state is budgets and counters).
 */
final class CallAttempts {
    /** A hedge never goes out sooner than this, however fast the service's recent calls were. */
    private static final long MIN_HEDGE_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int HEDGE_BURST = 2;

    private final HttpCaller caller;
    private final ObjectMapper json;
    private final int maxAttempts;
    private final RetryBudget retryBudget;
    private final RetryBudget hedgeBudget;
    private final double hedgeRatio;
    private final Duration callTimeout;
    private final Duration attemptTimeout;
    private final LongAdder hedges = new LongAdder();

    /**
     * @param hedgeRatio  share of extra attempts hedges may add (0 turns hedging off)
     * @param retryRatio  share of calls that may be retried after they may have run, with {@code retryBurst}
     */
    CallAttempts(HttpCaller caller, ObjectMapper json, int maxAttempts, double retryRatio, int retryBurst,
            double hedgeRatio, Duration callTimeout, Duration attemptTimeout) {
        this.caller = caller;
        this.json = json;
        this.maxAttempts = maxAttempts;
        this.retryBudget = new RetryBudget(retryRatio, retryBurst);
        this.hedgeBudget = new RetryBudget(hedgeRatio, HEDGE_BURST);
        this.hedgeRatio = hedgeRatio;
        this.callTimeout = callTimeout;
        this.attemptTimeout = attemptTimeout;
    }

    /** Stops the connections to nodes and their threads. */
    void close() {
        caller.close();
    }

    /** Attempts sent as hedges so far. */
    long hedges() {
        return hedges.sum();
    }

    /**
     * Runs one call to its end: picks an instance, sends attempts (hedged when the call is idempotent), classifies
     * each answer, retries elsewhere when the call did not run (or, idempotent, may have), within the call's
     * deadline and the retry budget.
     */
    CallResult call(ServiceRoutes serviceRoutes, CallOptions options, String service, VersionRange range,
            String endpoint, String method, byte[] body) {
        ClientCounters counters = serviceRoutes.counters();
        Tried tried = new Tried(maxAttempts * 2);
        List<String> refusals = new ArrayList<>();
        retryBudget.called();
        hedgeBudget.called();
        long deadline = System.nanoTime() + callTimeout.toNanos();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            RoutingTable table = serviceRoutes.table();
            Target target = table.pick(range, options.key(), tried, ThreadLocalRandom.current().nextInt(100),
                    System.nanoTime());
            if (target == null) {
                if (tried.isEmpty() && table.resolve(range).isEmpty()) {
                    throw new NoCompatibleVersionException(service, range, table.versions());
                }
                if (tried.isEmpty()) {
                    refusals.add("every instance in range is ejected after failing");
                }
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                refusals.add("the call's deadline of " + callTimeout.toMillis() + " ms passed");
                break;
            }
            Duration timeout = Duration.ofNanos(Math.min(attemptTimeout.toNanos(), left));
            tried.add(target);
            counters.attempted(attempt > 1);
            Outcome outcome;
            long hedgeAfter = options.idempotent() && hedgeRatio > 0 ? serviceRoutes.latency().percentileNanos() : -1;
            if (hedgeAfter >= 0) {
                List<Attempt> racing = new ArrayList<>(2);
                racing.add(launch(target, endpoint, method, body, timeout));
                Attempt hedge = hedge(hedgeAfter, table, range, options, tried, racing.get(0), endpoint, method, body,
                        timeout, counters);
                if (hedge != null) {
                    racing.add(hedge);
                }
                outcome = race(racing, refusals, counters);
            } else {
                outcome = classify(attemptOnThisThread(target, endpoint, method, body, timeout), refusals, counters);
            }
            if (outcome.result != null) {
                serviceRoutes.latency().record(outcome.result.nanos);
                return result(outcome.result.answer, outcome.result.body, outcome.result.target.record(), attempt);
            }
            if (outcome.mayHaveRun != null && !mayRetry(options, attempt)) {
                if (outcome.mayHaveRun.answer != null) {
                    Finished last = outcome.mayHaveRun;
                    return result(last.answer, last.body, last.target.record(), attempt);
                }
                Throwable failure = outcome.mayHaveRun.failure;
                throw new VesselClientException("call to " + outcome.mayHaveRun.target.record().id() + " failed: "
                        + describe(failure) + notRetried(options, attempt), failure);
            }
        }
        throw new UnavailableException("no instance of '" + service + "' in " + range + " took the call after "
                + tried.size() + " attempt(s): " + String.join("; ", refusals));
    }

    /** One attempt in flight to one instance. */
    private record Attempt(Target target, CompletableFuture<HttpCaller.Answer> answer, long started) {}

    /** A completed attempt: an answer (with its parsed body) or the failure that ended it. */
    private record Finished(Target target, HttpCaller.Answer answer, JsonNode body, Throwable failure, long nanos) {}

    /** How a race of attempts ended: a result to return, or (if it may have run) what failed last. */
    private record Outcome(Finished result, Finished mayHaveRun) {}

    private Attempt launch(Target target, String endpoint, String method, byte[] body, Duration timeout) {
        target.begin();
        CompletableFuture<HttpCaller.Answer> answer;
        try {
            answer = caller.call(target.record(), endpoint, method, body, timeout);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((a, e) -> target.end());
        return new Attempt(target, answer, System.nanoTime());
    }

    /**
     * A second attempt to another instance once the first has taken longer than {@code delay}, the service's
     * recent high percentile ("The Tail at Scale"), if the hedge budget allows: at most a few percent more attempts.
     */
    private Attempt hedge(long delay, RoutingTable table, VersionRange range, CallOptions options, Tried tried,
            Attempt first, String endpoint, String method, byte[] body, Duration timeout, ClientCounters counters) {
        if (delay >= timeout.toNanos()) {
            return null;
        }
        try {
            first.answer().get(Math.max(delay, MIN_HEDGE_DELAY_NANOS), TimeUnit.NANOSECONDS);
            return null; // answered in time
        } catch (TimeoutException slow) {
            // fall through: the first attempt is in the tail
        } catch (ExecutionException failed) {
            return null; // the race decides what the failure means
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        Target other = table.pick(range, options.key(), tried, ThreadLocalRandom.current().nextInt(100),
                System.nanoTime());
        if (other == null || !hedgeBudget.tryRetry()) {
            return null;
        }
        tried.add(other);
        hedges.increment();
        counters.hedged();
        long left = timeout.toNanos() - (System.nanoTime() - first.started());
        return launch(other, endpoint, method, body, Duration.ofNanos(Math.max(1_000_000, left)));
    }

    /** The common case, with no hedge possible: one attempt on the calling thread, no hand-off. */
    private Finished attemptOnThisThread(Target target, String endpoint, String method, byte[] body,
            Duration timeout) {
        long started = System.nanoTime();
        target.begin();
        try {
            HttpCaller.Answer answer = caller.callBlocking(target.record(), endpoint, method, body, timeout);
            return new Finished(target, answer, parse(answer), null, System.nanoTime() - started);
        } catch (IOException e) {
            return new Finished(target, null, null, e, System.nanoTime() - started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VesselClientException("interrupted while calling " + target.record().id(), e);
        } finally {
            target.end();
        }
    }

    /**
     * Waits for the racing attempts: the first that answers for real wins; failures are counted against their
     * instance (timeouts included, which is how a frozen instance gets ejected).
     */
    private Outcome race(List<Attempt> racing, List<String> refusals, ClientCounters counters) {
        List<Attempt> pending = new ArrayList<>(racing);
        Finished mayHaveRun = null;
        while (!pending.isEmpty()) {
            Outcome outcome = classify(awaitFirst(pending), refusals, counters);
            if (outcome.result != null) {
                return outcome;
            }
            if (outcome.mayHaveRun != null) {
                mayHaveRun = outcome.mayHaveRun;
            }
        }
        return new Outcome(null, mayHaveRun);
    }

    /**
     * What one finished attempt means: a result, a failure that may have run the call, or a refusal that did not
     * (neither set). Failures other than the method's own are counted against the instance.
     */
    private Outcome classify(Finished done, List<String> refusals, ClientCounters counters) {
        long now = System.nanoTime();
        String id = done.target.record().id();
        if (done.failure != null) {
            countFailure(done.target, now, counters);
            Throwable cause = done.failure;
            if (causedBy(cause, ConnectException.class) || causedBy(cause, HttpConnectTimeoutException.class)) {
                refusals.add(id + ": cannot connect (" + cause + ")");
                return new Outcome(null, null);
            }
            refusals.add(id + ": " + describe(cause));
            return new Outcome(null, done);
        }
        if (done.answer.retryElsewhere()) {
            refusals.add(id + ": 503 " + errorCode(done.body, done.answer) + ", not executed");
            return new Outcome(null, null);
        }
        if (done.answer.status() >= 500 && !methodFailed(done.body)) {
            countFailure(done.target, now, counters);
            refusals.add(id + ": HTTP " + done.answer.status() + " " + errorCode(done.body, done.answer));
            return new Outcome(null, done);
        }
        done.target.succeeded(now);
        return new Outcome(done, null);
    }

    /** A timeout is named as one wherever it is in the chain of causes. */
    private String describe(Throwable failure) {
        return causedBy(failure, HttpTimeoutException.class) || causedBy(failure, TimeoutException.class)
                ? "no answer within the attempt timeout (" + attemptTimeout.toMillis() + " ms)" : failure.toString();
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** Removes and returns the first of {@code pending} to complete. */
    private Finished awaitFirst(List<Attempt> pending) {
        CompletableFuture<?>[] futures = pending.stream().map(Attempt::answer).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(futures).join();
        } catch (RuntimeException ignored) {
            // one completed exceptionally: found below
        }
        for (int i = 0; i < pending.size(); i++) {
            Attempt attempt = pending.get(i);
            if (attempt.answer().isDone()) {
                pending.remove(i);
                long nanos = System.nanoTime() - attempt.started();
                try {
                    HttpCaller.Answer answer = attempt.answer().join();
                    return new Finished(attempt.target(), answer, parse(answer), null, nanos);
                } catch (CompletionException | java.util.concurrent.CancellationException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    return new Finished(attempt.target(), null, null, cause, nanos);
                }
            }
        }
        throw new IllegalStateException("anyOf returned with nothing done");
    }

    private boolean mayRetry(CallOptions options, int attempt) {
        return options.idempotent() && attempt < maxAttempts && retryBudget.tryRetry();
    }

    private String notRetried(CallOptions options, int attempt) {
        if (!options.idempotent()) {
            return "; not retried: it may have run and is not marked idempotent";
        }
        return attempt >= maxAttempts ? "; attempts used up (" + maxAttempts + ")" : "; retry budget spent";
    }

    private static void countFailure(Target target, long now, ClientCounters counters) {
        if (target.failed(now)) {
            counters.ejected();
        }
    }

    /** A 5xx carrying the method's own exception says nothing about the instance's health. */
    private static boolean methodFailed(JsonNode body) {
        Optional<ErrorCode> code = ErrorBody.from(body).code();
        return code.isPresent()
                && (code.get() == ErrorCode.METHOD_THREW || code.get() == ErrorCode.RESULT_NOT_SERIALIZABLE);
    }

    /** The answer's JSON, or null if it is not JSON (a proxy's error page, say). */
    private JsonNode parse(HttpCaller.Answer answer) {
        try {
            return json.readTree(answer.body());
        } catch (IOException e) {
            return null;
        }
    }

    private static String errorCode(JsonNode body, HttpCaller.Answer answer) {
        String code = ErrorBody.from(body).error();
        return code == null ? "HTTP_" + answer.status() : code;
    }

    private CallResult result(HttpCaller.Answer answer, JsonNode body, InstanceRecord instance, int attempts) {
        if (body == null) {
            throw new VesselClientException("unreadable answer from " + instance.id() + " (HTTP " + answer.status()
                    + "): not JSON");
        }
        if (answer.status() == 200) {
            return new CallResult(body, answer.version(), instance.id(), attempts, json);
        }
        String message = ErrorBody.from(body).message();
        if (message == null) {
            message = body.toString();
        }
        throw new RemoteCallException(answer.status(), errorCode(body, answer), message, answer.version(),
                instance.id());
    }
}
