package dev.vessel.sample.greeter.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Greets people. Implemented by the greeter bundle, called by clients: a provider type. */
@ProviderType
public interface Greeter {
    /** @throws IllegalArgumentException if {@code name} is blank */
    String greet(String name);

    /** Greets several people at once. Added in 1.1: a compatible (minor) change for a provider type. */
    String greetAll(List<String> names);

    /** The release that answers. */
    String version();
}
