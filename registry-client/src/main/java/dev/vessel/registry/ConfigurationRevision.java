package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * One immutable, numbered revision of a service's configuration: every configuration PID with its properties
 * (what Configuration Admin gets in each container of the service), properties aimed at some versions or nodes
 * only, who made it, when and why. Revision 0 is the empty configuration a service has before anyone set one.
 *
 * <p>Which properties a container gets for a PID ({@link #effectiveFor}): the most specific entry that applies
 * to it, whole (entries are not merged): one naming both a version range and nodes, then one naming nodes, then
 * one naming a version range, then the PID's untargeted properties; among entries equally specific, the one
 * later in {@code targets}.
 *
 * @param basedOn the revision this one was made from (its author saw that one), 0 for the first
 * @param targets properties for a PID that apply only to the versions in a range and/or the nodes a selector names
 * @param secrets the keys of each PID whose values are secret: shown as {@value #MASK}, stored apart, readable by the
 *                nodes and the admin credential only ({@link ConfigurationStore})
 */
public record ConfigurationRevision(String service, long revision, long basedOn,
        Map<String, Map<String, Object>> pids, String author, long time, String message, List<Target> targets,
        Map<String, List<String>> secrets) {
    /** What a secret value is shown as. */
    public static final String MASK = "***";

    /**
     * Properties of {@code pid} for some containers only.
     *
     * @param range an OSGi version range ({@code [1.2,2)}), or null for every version
     * @param nodes a node selector ({@link NodeSelector}), or null for every node
     */
    public record Target(String pid, String range, String nodes, Map<String, Object> properties) {
        public Target {
            if (pid == null || pid.isBlank()) {
                throw new IllegalArgumentException("a configuration PID cannot be blank");
            }
            if (range != null) {
                range = new VersionRange(range).toString(); // refuses a malformed range here
            }
            if (nodes != null) {
                Text.requirePrintable(nodes, "nodes", Text.MAX_SELECTOR);
            }
            if (range == null && nodes == null) {
                throw new IllegalArgumentException("a target names a version range, nodes, or both");
            }
            properties = Map.copyOf(requireNonNull(properties, "properties cannot be null"));
        }

        /** Whether it applies to a container of {@code version} on {@code node}. */
        public boolean appliesTo(Version version, NodeRecord node) {
            return (range == null || new VersionRange(range).includes(version))
                    && (nodes == null || NodeSelector.selects(nodes, node));
        }

        /** Whether it applies to {@code version} on some node. */
        public boolean appliesTo(Version version) {
            return range == null || new VersionRange(range).includes(version);
        }

        int specificity() {
            return (nodes != null ? 2 : 0) + (range != null ? 1 : 0);
        }

        /** How the CLI names it: {@code pid [range] @nodes}. */
        public String label() {
            return pid + (range != null ? " " + range : "") + (nodes != null ? " @" + nodes : "");
        }
    }

    public ConfigurationRevision(String service, long revision, long basedOn, Map<String, Map<String, Object>> pids,
            String author, long time, String message) {
        this(service, revision, basedOn, pids, author, time, message, List.of(), Map.of());
    }

    public ConfigurationRevision(String service, long revision, long basedOn, Map<String, Map<String, Object>> pids,
            String author, long time, String message, List<Target> targets) {
        this(service, revision, basedOn, pids, author, time, message, targets, Map.of());
    }

    private boolean isSecret(String pid, String key) {
        return secrets.getOrDefault(pid, List.of()).contains(key);
    }

    private Map<String, Object> mask(String pid, Map<String, Object> properties) {
        Map<String, Object> masked = new TreeMap<>(properties);
        masked.replaceAll((key, value) -> isSecret(pid, key) ? MASK : value);
        return masked;
    }

    /** This revision with every secret value shown as {@value #MASK}: what may be stored openly or printed. */
    public ConfigurationRevision masked() {
        Map<String, Map<String, Object>> maskedPids = new TreeMap<>();
        pids.forEach((pid, properties) -> maskedPids.put(pid, mask(pid, properties)));
        List<Target> maskedTargets = targets.stream().map(t -> new Target(t.pid(), t.range(), t.nodes(),
                mask(t.pid(), t.properties()))).toList();
        return new ConfigurationRevision(service, revision, basedOn, maskedPids, author, time, message, maskedTargets,
                secrets);
    }

    /** The secret values, by entry ({@link Target#label} for targets, the PID otherwise); empty if none. */
    public Map<String, Map<String, Object>> secretValues() {
        Map<String, Map<String, Object>> values = new TreeMap<>();
        pids.forEach((pid, properties) -> properties.forEach((key, value) -> {
            if (isSecret(pid, key) && !MASK.equals(value)) {
                values.computeIfAbsent(pid, p -> new TreeMap<>()).put(key, value);
            }
        }));
        for (Target t : targets) {
            t.properties().forEach((key, value) -> {
                if (isSecret(t.pid(), key) && !MASK.equals(value)) {
                    values.computeIfAbsent(t.label(), p -> new TreeMap<>()).put(key, value);
                }
            });
        }
        return values;
    }

    /**
     * This revision with {@code others} secret keys added and every value still shown as {@value #MASK} taken
     * from {@code previous} (a client that read the masked revision and changed something else leaves the
     * secrets as they were). A {@value #MASK} that {@code previous} cannot fill stays, as a value.
     */
    public ConfigurationRevision keepingSecretsOf(ConfigurationRevision previous, Map<String, List<String>> others) {
        Map<String, List<String>> keys = new TreeMap<>();
        for (Map<String, List<String>> source : List.of(previous.secrets(), secrets, others)) {
            source.forEach((pid, list) -> {
                java.util.Set<String> all = new java.util.TreeSet<>(keys.getOrDefault(pid, List.of()));
                all.addAll(list);
                keys.put(pid, List.copyOf(all));
            });
        }
        Map<String, Map<String, Object>> known = previous.secretValues();
        Map<String, Map<String, Object>> fill = new TreeMap<>();
        pids.forEach((pid, properties) -> properties.forEach((key, value) -> {
            if (MASK.equals(value) && known.getOrDefault(pid, Map.of()).containsKey(key)) {
                fill.computeIfAbsent(pid, p -> new TreeMap<>()).put(key, known.get(pid).get(key));
            }
        }));
        for (Target t : targets) {
            t.properties().forEach((key, value) -> {
                if (MASK.equals(value) && known.getOrDefault(t.label(), Map.of()).containsKey(key)) {
                    fill.computeIfAbsent(t.label(), p -> new TreeMap<>()).put(key, known.get(t.label()).get(key));
                }
            });
        }
        return new ConfigurationRevision(service, revision, basedOn, pids, author, time, message, targets, keys)
                .withSecretValues(fill);
    }

    /** This revision with the secret values put back where {@link #masked} showed {@value #MASK}. */
    public ConfigurationRevision withSecretValues(Map<String, Map<String, Object>> values) {
        Map<String, Map<String, Object>> fullPids = new TreeMap<>();
        pids.forEach((pid, properties) -> {
            Map<String, Object> full = new TreeMap<>(properties);
            full.putAll(values.getOrDefault(pid, Map.of()));
            fullPids.put(pid, full);
        });
        List<Target> fullTargets = targets.stream().map(t -> {
            Map<String, Object> full = new TreeMap<>(t.properties());
            full.putAll(values.getOrDefault(t.label(), Map.of()));
            return new Target(t.pid(), t.range(), t.nodes(), full);
        }).toList();
        return new ConfigurationRevision(service, revision, basedOn, fullPids, author, time, message, fullTargets,
                secrets);
    }

    /** What a container of {@code version} on {@code node} gets: PID -> properties (see the class comment). */
    public Map<String, Map<String, Object>> effectiveFor(Version version, NodeRecord node) {
        Map<String, Map<String, Object>> effective = new TreeMap<>(pids);
        Map<String, Target> best = new TreeMap<>();
        for (Target target : targets) {
            if (target.appliesTo(version, node)) {
                Target current = best.get(target.pid());
                if (current == null || target.specificity() >= current.specificity()) {
                    best.put(target.pid(), target);
                }
            }
        }
        best.forEach((pid, target) -> effective.put(pid, target.properties()));
        return effective;
    }

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
        targets = targets == null ? List.of() : List.copyOf(targets);
        Map<String, List<String>> secretKeys = new TreeMap<>();
        if (secrets != null) {
            secrets.forEach((pid, keys) -> secretKeys.put(pid, List.copyOf(keys)));
        }
        secrets = java.util.Collections.unmodifiableMap(secretKeys);
        author = author == null ? "" : author;
        message = message == null ? "" : message;
    }

    /** The configuration a service has before anyone set one: revision 0, no PID. */
    public static ConfigurationRevision empty(String service) {
        return new ConfigurationRevision(service, 0, 0, Map.of(), "", 0, "");
    }
}
