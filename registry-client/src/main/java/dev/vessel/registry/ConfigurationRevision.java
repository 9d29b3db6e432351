package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One immutable, numbered revision of a service's configuration: every configuration PID with its properties
 * (what Configuration Admin gets in each container of the service), who made it, when and why. Revision 0 is the
 * empty configuration a service has before anyone set one.
 *
 * @param basedOn the revision this one was made from (its author saw that one), 0 for the first
 */
public record ConfigurationRevision(String service, long revision, long basedOn,
        Map<String, Map<String, Object>> pids, String author, long time, String message) {
    public ConfigurationRevision {
        RegistryLayout.requireName(service, "service");
        if (revision < 0 || basedOn < 0 || (revision > 0 && basedOn >= revision)) {
            throw new IllegalArgumentException("revision " + revision + " cannot be based on " + basedOn);
        }
        requireNonNull(pids, "pids cannot be null");
        Map<String, Map<String, Object>> copy = new TreeMap<>();
        pids.forEach((pid, properties) -> {
            if (pid == null || pid.isBlank()) {
                throw new IllegalArgumentException("a configuration PID cannot be blank");
            }
            copy.put(pid, Map.copyOf(new LinkedHashMap<>(requireNonNull(properties, "properties of " + pid))));
        });
        pids = java.util.Collections.unmodifiableMap(copy);
        author = author == null ? "" : author;
        message = message == null ? "" : message;
    }

    /** The configuration a service has before anyone set one: revision 0, no PID. */
    public static ConfigurationRevision empty(String service) {
        return new ConfigurationRevision(service, 0, 0, Map.of(), "", 0, "");
    }
}
