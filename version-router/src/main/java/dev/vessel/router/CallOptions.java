package dev.vessel.router;

/**
 * How one call may be routed and retried.
 *
 * @param idempotent whether running the call twice is harmless; only then is it retried on another instance after
 *                   a failure that may have happened after it ran (timeout, broken connection, 5xx), within the
 *                   client's retry budget. Any call is retried when the node says it did not run it.
 * @param key        routing key, or null: calls with the same key go to the same instance while it exists and is
 *                   not overloaded (consistent hashing with bounded load); calls without one go to the less loaded
 *                   of two random instances
 */
public record CallOptions(boolean idempotent, String key) {
    /** Not idempotent, no key. */
    public static final CallOptions DEFAULT = new CallOptions(false, null);

    public static CallOptions idempotentCall() {
        return new CallOptions(true, null);
    }

    public static CallOptions keyed(String key) {
        return DEFAULT.withKey(key);
    }

    public CallOptions withKey(String routingKey) {
        if (routingKey == null) {
            throw new IllegalArgumentException("a routing key cannot be null; use CallOptions.DEFAULT for none");
        }
        return new CallOptions(idempotent, routingKey);
    }

    public CallOptions asIdempotent() {
        return new CallOptions(true, key);
    }
}
