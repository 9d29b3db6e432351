package dev.vessel.sample.greeter.api;

import org.osgi.annotation.versioning.ProviderType;

/** Greets people. Implemented by the greeter bundle, called by clients: a provider type. */
@ProviderType
public interface Greeter {
    /** @throws IllegalArgumentException if {@code name} is blank */
    String greet(String name);

    /** The release that answers. */
    String version();
}
