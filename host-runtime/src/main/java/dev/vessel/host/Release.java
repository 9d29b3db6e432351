package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.RegistryLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.osgi.framework.Version;

/**
 * One version of a service: the bundles a container runs and the endpoints it must offer before it is ACTIVE.
 * Read one from jars with {@link ReleaseReader}.
 *
 * @param service     service name (the primary bundle's {@code Vessel-Service} header, else its symbolic name)
 * @param version     the primary bundle's {@code Bundle-Version}
 * @param primary     symbolic name of the primary bundle: the first one that declares an endpoint
 * @param bundles     bundle jars, installed in this order
 * @param endpoints   endpoint names the release declares ({@code vessel.endpoint} service property)
 */
public record Release(String service, Version version, String primary, List<Path> bundles, Set<String> endpoints) {
    public Release {
        RegistryLayout.requireName(service, "service");
        requireNonNull(version, "version cannot be null");
        requireNonNull(primary, "primary cannot be null");
        bundles = List.copyOf(bundles);
        endpoints = Set.copyOf(endpoints);
        if (bundles.isEmpty()) {
            throw new IllegalArgumentException("a release needs at least one bundle");
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("a release needs at least one endpoint");
        }
    }

    /** The same bundles under another service name (a deploy's {@code --service}, a stored manifest's name). */
    public Release withService(String otherService) {
        return new Release(otherService, version, primary, bundles, endpoints);
    }

    /** The container that runs this release on a node. */
    public ContainerId id() {
        return new ContainerId(service, version);
    }
}
