package dev.vessel.sample.hostile;

/** Fixture: an interface the endpoint implements but is not registered under, with a default method. */
public interface Pinger {
    String ping();

    default String defaulted() {
        return "a default method was called";
    }
}
