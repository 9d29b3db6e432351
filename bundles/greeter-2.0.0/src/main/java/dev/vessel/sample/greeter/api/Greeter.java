package dev.vessel.sample.greeter.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Greets people in their language. 2.0 changes {@code greet}'s signature and result: an incompatible (major)
 * change, so 1.x clients never reach this release.
 */
@ProviderType
public interface Greeter {
    /** @throws IllegalArgumentException if {@code name} is blank or the language is not supported */
    Greeting greet(String name, String language);

    String greetAll(List<String> names);

    /** The release that answers. */
    String version();
}
