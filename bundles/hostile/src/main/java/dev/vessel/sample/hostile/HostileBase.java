package dev.vessel.sample.hostile;

/** Fixture: a public method the endpoint only inherits; the data plane must not call it. */
public class HostileBase {
    public String inherited() {
        return "an inherited method was called";
    }
}
