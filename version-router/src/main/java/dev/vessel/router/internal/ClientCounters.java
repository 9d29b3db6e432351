package dev.vessel.router.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What one client did for one service: calls by outcome, attempts, retries, hedges and ejections. */
public final class ClientCounters {
    /** Every outcome a call of the client can have: a result, or the exception it threw. */
    public static final List<String> OUTCOMES = List.of("OK", "REMOTE_ERROR", "NO_COMPATIBLE_VERSION", "UNAVAILABLE",
            "FAILED");

    private final LongAdder[] calls = new LongAdder[OUTCOMES.size()];
    private final LongAdder attempts = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder hedges = new LongAdder();
    private final LongAdder ejections = new LongAdder();

    ClientCounters() {
        for (int i = 0; i < calls.length; i++) {
            calls[i] = new LongAdder();
        }
    }

    /** A call ended with {@code outcome}, one of {@link #OUTCOMES}. */
    public void called(String outcome) {
        calls[OUTCOMES.indexOf(outcome)].increment();
    }

    /** An attempt was sent: the call's first, a retry, or a hedge. */
    public void attempted(boolean retry) {
        attempts.increment();
        if (retry) {
            retries.increment();
        }
    }

    public void hedged() {
        attempts.increment();
        hedges.increment();
    }

    public void ejected() {
        ejections.increment();
    }

    public Map<String, Long> calls() {
        Map<String, Long> byOutcome = new LinkedHashMap<>();
        for (int i = 0; i < calls.length; i++) {
            byOutcome.put(OUTCOMES.get(i), calls[i].sum());
        }
        return byOutcome;
    }

    public long attempts() {
        return attempts.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public long hedges() {
        return hedges.sum();
    }

    public long ejections() {
        return ejections.sum();
    }
}
