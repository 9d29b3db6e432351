package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.RegistryLayout;
import org.osgi.framework.Version;

/**
 * Which container on a node: one per service and release version. Its text form, {@code <service>-<version>},
 * names the container in status records, instance ids and storage directories.
 */
public record ContainerId(String service, Version version) implements Comparable<ContainerId> {
    public ContainerId {
        RegistryLayout.requireName(service, "service");
        requireNonNull(version, "version cannot be null");
    }

    /** @throws IllegalArgumentException if {@code version} is not an OSGi version */
    public static ContainerId of(String service, String version) {
        return new ContainerId(service, Version.parseVersion(version));
    }

    @Override
    public int compareTo(ContainerId other) {
        int byService = service.compareTo(other.service);
        return byService != 0 ? byService : version.compareTo(other.version);
    }

    @Override
    public String toString() {
        return service + "-" + version;
    }
}
