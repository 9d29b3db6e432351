package dev.vessel.host.internal.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of call bodies held in memory while they arrive, over all connections. A body charges what it has
 * received, not what it declares: a client that sends one byte every few seconds holds one byte, so slow senders
 * cost a connection each (bounded by the connection limit and timeouts) and cannot exhaust the budget; only
 * bodies that really are large and unfinished can, and past the budget the next byte's call is refused.
 */
final class BodyBudget {
    private final long capacity;
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long capacity) {
        this.capacity = capacity;
    }

    boolean tryTake(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > capacity) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void give(long bytes) {
        held.addAndGet(-bytes);
    }

    long capacity() {
        return capacity;
    }
}
