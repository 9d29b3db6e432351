package dev.vessel.cli;

import dev.vessel.protocol.admin.ConfigurationChange;
import dev.vessel.protocol.admin.ConfigurationTarget;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.deploy.AdminClient;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Live configuration of a service's releases: numbered revisions that every container of the"
                + " service receives through OSGi Configuration Admin, without a restart.",
        subcommands = {ConfigCommand.Set.class, ConfigCommand.Get.class, ConfigCommand.History.class,
                ConfigCommand.Diff.class, ConfigCommand.Rollback.class, ConfigCommand.Status.class})
final class ConfigCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel config needs what to do: set, get, history, diff,"
                + " rollback or status");
    }

    /** What set and rollback share: write through a node's admin API, then wait for every container's answer. */
    abstract static class Change implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Option(names = "--no-wait", description = "Return once the revision is written.")
        boolean noWait;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "How long to wait for every container to apply it (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "Why, for the history.")
        String message;

        @Option(names = "--json", description = "Print the revision and the containers' answers as JSON.")
        boolean json;

        @Option(names = "--dry-run", description = "Validate and show what would change, and in which containers;"
                + " write nothing.")
        boolean dryRun;

        abstract String service();

        /** The change, made from the current revision (which the write is conditional on). */
        abstract ConfigurationChange change(ConfigurationRevision current, String by);

        @Override
        public Integer call() throws Exception {
            try (RegistryConnection registry = cluster.connect()) {
                ConfigurationRevision current = new ConfigurationStore(registry).read(service());
                AdminClient client = admin.client(cluster, registry);
                ConfigurationChange change = change(current, AdminOptions.who());
                if (dryRun) {
                    return showDryRun(registry, current, client.configure(service(), change.asDryRun()));
                }
                ConfigurationRevision written = client.configure(service(), change);
                PrintWriter err = spec.commandLine().getErr();
                if (!json) {
                    err.println("configuration of " + service() + " is at revision " + written.revision());
                    err.flush();
                }
                List<Applied> answers = noWait ? List.of() : awaitApplied(registry, written.revision(),
                        Duration.ofSeconds(timeoutSeconds), json ? null : err);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("revision", written);
                    result.put("containers", answers);
                    out.println(JSON.writeValueAsString(result));
                } else {
                    for (Applied answer : answers) {
                        out.println(answer.node() + "  " + answer.version() + "  " + (answer.applied() ? "applied"
                                : answer.error() != null ? "REFUSED: " + answer.error() : "not yet (revision "
                                        + answer.revision() + ")"));
                    }
                }
                out.flush();
                if (answers.stream().anyMatch(a -> a.error() != null)) {
                    return ExitCode.FAILED;
                }
                if (answers.stream().anyMatch(a -> !a.applied())) {
                    throw new CliException(ExitCode.UNAVAILABLE, "not every container applied revision "
                            + written.revision() + " within " + timeoutSeconds + " s; see `vessel config status "
                            + service() + "`");
                }
                return ExitCode.OK;
            }
        }

        private int showDryRun(RegistryConnection registry, ConfigurationRevision current,
                ConfigurationRevision wouldBe) throws Exception {
            Map<String, List<String>> changes = Diff.between(Diff.entries(current), Diff.entries(wouldBe));
            List<Applied> containers = Status.containers(new ClusterReader(registry).snapshot(service()), service(),
                    current.revision());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("dryRun", true);
                result.put("revision", wouldBe);
                result.put("changes", changes);
                result.put("containers", containers);
                out.println(JSON.writeValueAsString(result));
            } else {
                out.println("dry run: revision " + wouldBe.revision() + " would fit every deployed release;"
                        + " nothing was written");
                changes.forEach((pid, list) -> {
                    out.println(pid);
                    list.forEach(c -> out.println("  " + c));
                });
                out.println(containers.isEmpty() ? "no running container would change" : "it would reach "
                        + containers.size() + " running container(s):");
                containers.forEach(c -> out.println("  " + c.node() + "  " + c.version()));
            }
            out.flush();
            return ExitCode.OK;
        }

        /** Every running container of the service, once each has applied the revision or refused it. */
        private List<Applied> awaitApplied(RegistryConnection registry, long revision, Duration timeout,
                PrintWriter progress) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = "";
            while (true) {
                List<Applied> answers = Status.containers(new ClusterReader(registry).snapshot(service()), service(),
                        revision);
                long done = answers.stream().filter(a -> a.applied() || a.error() != null).count();
                String line = done + "/" + answers.size() + " container(s) answered for revision " + revision;
                if (progress != null && !line.equals(last)) {
                    progress.println(line);
                    progress.flush();
                    last = line;
                }
                if (done == answers.size() || System.nanoTime() > deadline) {
                    return answers;
                }
                Thread.sleep(100); // polling the nodes' status records, as `vessel deploy` does
            }
        }
    }

    /** One running container's answer to a revision. */
    record Applied(String node, String version, long revision, boolean applied, String error) {}

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Sets keys of one configuration PID (the others keep theirs) and waits until every"
                    + " container of the service applied the new revision. Fails with exit 5 if someone else"
                    + " changed the configuration in between.")
    static final class Set extends Change {
        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;

        @Parameters(index = "1", paramLabel = "PID", description = "The configuration PID, e.g. the one a"
                + " component's configurationPid or @Designate names.")
        String pid;

        @Parameters(index = "2..*", paramLabel = "KEY=VALUE", description = "Properties to set (values are"
                + " strings; the release's components convert them, as with a .cfg file).")
        List<String> assignments = new ArrayList<>();

        @Option(names = "--file", paramLabel = "FILE", description = "Properties from a file: .json (an object,"
                + " values keep their JSON types), .properties or .cfg (strings), or Felix .config (typed).")
        Path file;

        @Option(names = "--unset", paramLabel = "KEY", description = "Removes a key. Repeatable.")
        List<String> unset = new ArrayList<>();

        @Option(names = "--secret", paramLabel = "KEY", description = "Marks a key secret: never printed (shown as"
                + " ***), readable by the nodes and the admin credential only. Keys a release's Metatype declares as"
                + " Password are secret anyway. Repeatable.")
        List<String> secret = new ArrayList<>();

        /** This PID's secret keys as far as this client knows: marked now, before, or Password in a Metatype. */
        private java.util.Set<String> secretKeys(ConfigurationRevision current) {
            java.util.Set<String> keys = new TreeSet<>(secret);
            keys.addAll(current.secrets().getOrDefault(pid, List.of()));
            try (RegistryConnection registry = cluster.connect()) {
                for (var manifest : new dev.vessel.registry.ReleaseStore(registry).list(service)) {
                    manifest.schema(pid).ifPresent(schema -> schema.attributes().stream()
                            .filter(a -> "Password".equals(a.type())).forEach(a -> keys.add(a.id())));
                }
            }
            return keys;
        }

        @Option(names = "--replace", description = "The PID gets exactly these properties; keys not given go.")
        boolean replace;

        @Option(names = "--range", paramLabel = "RANGE", description = "Only for versions in this OSGi range, e.g."
                + " '[1.2,2)': a canary by version. The most specific entry wins, whole: range and nodes, then"
                + " nodes, then range, then the PID's untargeted properties.")
        String range;

        @Option(names = "--nodes", paramLabel = "SELECTOR", description = "Only on these nodes (ids and key=value"
                + " labels, as for deploy): a canary by node.")
        String nodes;

        @Option(names = "--if-revision", paramLabel = "N", description = "Only if the configuration is still at"
                + " revision N (else exit 5, nothing written), for scripts that read it first.")
        Long ifRevision;

        @Option(names = "--remove-pid", description = "Removes the PID altogether: its components fall back to"
                + " their defaults.")
        boolean removePid;

        @Override
        String service() {
            return service;
        }

        @Override
        ConfigurationChange change(ConfigurationRevision current, String by) {
            if (ifRevision != null && ifRevision != current.revision()) {
                throw new CliException(ExitCode.CONFLICT, "configuration of " + service + " is at revision "
                        + current.revision() + ", not " + ifRevision + "; nothing was written");
            }
            java.util.Set<String> secretKeys = secretKeys(current);
            Map<String, List<String>> marked = secret.isEmpty() ? Map.of() : Map.of(pid, List.copyOf(secret));
            if (range != null || nodes != null) {
                return changeTarget(current, by, secretKeys).withSecrets(marked);
            }
            Map<String, Map<String, Object>> pids = new TreeMap<>(current.pids());
            if (removePid) {
                if (!assignments.isEmpty() || file != null || !unset.isEmpty()) {
                    throw new CliException(ExitCode.BAD_INPUT, "--remove-pid takes no properties");
                }
                if (pids.remove(pid) == null) {
                    throw new CliException(ExitCode.NOT_FOUND, "revision " + current.revision() + " of " + service
                            + " has no PID " + pid);
                }
            } else {
                pids.put(pid, properties(replace ? Map.of() : pids.getOrDefault(pid, Map.of())));
            }
            return new ConfigurationChange(pids, onTheWire(current.targets()), null, current.revision(),
                    message != null ? message : describe(current.pids().get(pid), pids.get(pid), secretKeys), by)
                    .withSecrets(marked);
        }

        private static List<ConfigurationTarget> onTheWire(List<ConfigurationRevision.Target> targets) {
            return targets.stream().map(t -> new ConfigurationTarget(t.pid(), t.range(), t.nodes(), t.properties()))
                    .toList();
        }

        /** The same change, to the entry for this PID, range and nodes (made if there is none yet). */
        private ConfigurationChange changeTarget(ConfigurationRevision current, String by,
                java.util.Set<String> secretKeys) {
            ConfigurationRevision.Target wanted;
            try {
                wanted = new ConfigurationRevision.Target(pid, range, nodes, Map.of());
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
            }
            List<ConfigurationRevision.Target> targets = new ArrayList<>();
            Map<String, Object> before = null;
            for (ConfigurationRevision.Target t : current.targets()) {
                if (t.label().equals(wanted.label())) {
                    before = t.properties();
                } else {
                    targets.add(t);
                }
            }
            String label = wanted.label();
            if (removePid) {
                if (before == null) {
                    throw new CliException(ExitCode.NOT_FOUND, "revision " + current.revision() + " of " + service
                            + " has no entry " + label);
                }
                return new ConfigurationChange(current.pids(), onTheWire(targets), null, current.revision(),
                        message != null ? message : "remove " + label, by);
            }
            Map<String, Object> properties = properties(before == null || replace ? Map.of() : before);
            targets.add(new ConfigurationRevision.Target(pid, range, nodes, properties));
            return new ConfigurationChange(current.pids(), onTheWire(targets), null, current.revision(),
                    message != null ? message : "set " + label + ": " + String.join(", ", Diff.changes(
                            before == null ? Map.of() : before, properties, secretKeys)), by);
        }

        /** {@code start} with --file, KEY=VALUE and --unset applied. */
        private Map<String, Object> properties(Map<String, Object> start) {
            Map<String, Object> properties = new TreeMap<>(start);
            if (file != null) {
                properties.putAll(ConfigFiles.read(file));
            }
            for (String assignment : assignments) {
                int at = assignment.indexOf('=');
                if (at <= 0) {
                    throw new CliException(ExitCode.BAD_INPUT, "'" + assignment + "' is not KEY=VALUE");
                }
                properties.put(assignment.substring(0, at), assignment.substring(at + 1));
            }
            unset.forEach(properties::remove);
            if (assignments.isEmpty() && file == null && unset.isEmpty() && !replace) {
                throw new CliException(ExitCode.BAD_INPUT, "nothing to set: give KEY=VALUE, --file or --unset");
            }
            return properties;
        }

        private String describe(Map<String, Object> before, Map<String, Object> after,
                java.util.Set<String> secretKeys) {
            if (after == null) {
                return "remove " + pid;
            }
            return "set " + pid + ": " + String.join(", ", Diff.changes(before == null ? Map.of() : before, after,
                    secretKeys));
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "A new revision with an earlier revision's configuration (default: the one before the"
                    + " current), then waits for every container.")
    static final class Rollback extends Change {
        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;

        @Option(names = "--to-revision", paramLabel = "N", description = "The revision to go back to.")
        Long toRevision;

        @Override
        String service() {
            return service;
        }

        @Override
        ConfigurationChange change(ConfigurationRevision current, String by) {
            long target = toRevision != null ? toRevision : current.revision() - 1;
            if (target < 0 || target >= current.revision()) {
                throw new CliException(ExitCode.BAD_INPUT, "configuration of " + service + " is at revision "
                        + current.revision() + "; roll back to 0-" + (current.revision() - 1) + ", not " + target);
            }
            return new ConfigurationChange(null, null, target, current.revision(), null, by);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "The service's current configuration (or one revision of it).")
    static final class Get extends Read {
        @Parameters(index = "1", arity = "0..1", paramLabel = "PID", description = "Only this PID.")
        String pid;

        @Option(names = "--revision", paramLabel = "N", description = "This revision instead of the current one.")
        Long revision;

        @Override
        public Integer call() throws Exception {
            try (ClusterReads reads = ClusterReads.of(cluster)) {
                ConfigurationRevision shown = revision == null ? reads.configuration(service)
                        : revision(reads, service, revision);
                Map<String, Map<String, Object>> pids = shown.pids();
                if (pid != null) {
                    if (!pids.containsKey(pid) && shown.targets().stream().noneMatch(t -> t.pid().equals(pid))) {
                        throw new CliException(ExitCode.NOT_FOUND, "revision " + shown.revision() + " of " + service
                                + " has no PID " + pid + "; it has " + pids.keySet());
                    }
                    pids = pids.containsKey(pid) ? Map.of(pid, pids.get(pid)) : Map.of();
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(JSON.writeValueAsString(shown));
                } else {
                    out.println("revision " + shown.revision() + (shown.revision() == 0 ? " (nothing set yet)"
                            : " by " + shown.author() + " at " + Instant.ofEpochMilli(shown.time()) + ": "
                                    + shown.message()));
                    pids.forEach((p, properties) -> {
                        out.println(p);
                        new TreeMap<>(properties).forEach((k, v) -> out.println("  " + k + " = " + v));
                    });
                    for (ConfigurationRevision.Target t : shown.targets()) {
                        if (pid == null || t.pid().equals(pid)) {
                            out.println(t.label());
                            new TreeMap<>(t.properties()).forEach((k, v) -> out.println("  " + k + " = " + v));
                        }
                    }
                }
                out.flush();
                return ExitCode.OK;
            }
        }
    }

    /** What the read verbs share: the cluster to read, the service, and --json. */
    abstract static class Read implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;
    }

    static ConfigurationRevision revision(ClusterReads reads, String service, long revision) {
        try {
            return reads.configurationRevision(service, revision);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.NOT_FOUND, e.getMessage());
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "Every revision of the service's configuration, oldest first: who, when, why.")
    static final class History extends Read {
        @Override
        public Integer call() throws Exception {
            try (ClusterReads reads = ClusterReads.of(cluster)) {
                List<ConfigurationRevision> history = reads.configurationHistory(service);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(JSON.writeValueAsString(history));
                } else if (history.isEmpty()) {
                    out.println("no configuration revision of " + service + " yet");
                } else {
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"REVISION", "TIME", "BY", "PIDS", "MESSAGE"});
                    for (ConfigurationRevision r : history) {
                        rows.add(new String[] {Long.toString(r.revision()), Instant.ofEpochMilli(r.time()).toString(),
                                r.author(), String.join(",", r.pids().keySet()), r.message()});
                    }
                    TextTable.print(out, rows);
                }
                out.flush();
                return ExitCode.OK;
            }
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "What changed from revision N to revision M, per PID and key.")
    static final class Diff extends Read {
        @Parameters(index = "1", paramLabel = "N")
        long from;

        @Parameters(index = "2", paramLabel = "M")
        long to;

        @Override
        public Integer call() throws Exception {
            try (ClusterReads reads = ClusterReads.of(cluster)) {
                Map<String, List<String>> changes = between(entries(revision(reads, service, from)),
                        entries(revision(reads, service, to)));
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(JSON.writeValueAsString(changes));
                } else if (changes.isEmpty()) {
                    out.println("revisions " + from + " and " + to + " of " + service + " are the same");
                } else {
                    changes.forEach((pid, list) -> {
                        out.println(pid);
                        list.forEach(c -> out.println("  " + c));
                    });
                }
                out.flush();
                return ExitCode.OK;
            }
        }

        /** Every entry of a revision by its label: the PIDs, and the targets as {@code pid [range] @nodes}. */
        static Map<String, Map<String, Object>> entries(ConfigurationRevision revision) {
            Map<String, Map<String, Object>> all = new TreeMap<>(revision.pids());
            revision.targets().forEach(t -> all.put(t.label(), t.properties()));
            return all;
        }

        /** Per PID, what changed from {@code before} to {@code after}; PIDs without a change are left out. */
        static Map<String, List<String>> between(Map<String, Map<String, Object>> before,
                Map<String, Map<String, Object>> after) {
            Map<String, List<String>> changes = new TreeMap<>();
            for (String pid : union(before.keySet(), after.keySet())) {
                List<String> pidChanges = changes(before.getOrDefault(pid, Map.of()), after.getOrDefault(pid,
                        Map.of()));
                if (!before.containsKey(pid)) {
                    pidChanges.add(0, "(new PID)");
                } else if (!after.containsKey(pid)) {
                    pidChanges.add(0, "(PID removed)");
                }
                if (!pidChanges.isEmpty()) {
                    changes.put(pid, pidChanges);
                }
            }
            return changes;
        }

        private static Object shown(String key, Object value, java.util.Set<String> secret) {
            return value != null && secret.contains(key) ? ConfigurationRevision.MASK : value;
        }

        private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
            java.util.Set<String> all = new TreeSet<>(a);
            all.addAll(b);
            return all;
        }

        /** "+ key = value", "- key (was value)", "~ key: old -> new", in key order. */
        static List<String> changes(Map<String, Object> before, Map<String, Object> after) {
            return changes(before, after, java.util.Set.of());
        }

        /** The same, with the values of {@code secret} keys compared but shown as ***. */
        static List<String> changes(Map<String, Object> before, Map<String, Object> after,
                java.util.Set<String> secret) {
            List<String> changes = new ArrayList<>();
            for (String key : union(before.keySet(), after.keySet())) {
                Object was = shown(key, before.get(key), secret);
                Object now = shown(key, after.get(key), secret);
                if (secret.contains(key) && before.get(key) != null && after.get(key) != null
                        && !Objects.equals(before.get(key), after.get(key))) {
                    changes.add("~ " + key + ": " + ConfigurationRevision.MASK + " (changed)");
                    continue;
                }
                if (was == null) {
                    changes.add("+ " + key + " = " + now);
                } else if (now == null) {
                    changes.add("- " + key + " (was " + was + ")");
                } else if (!Objects.equals(was, now)) {
                    changes.add("~ " + key + ": " + was + " -> " + now);
                }
            }
            return changes;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Per node and version: the configuration revision each running container applied, or"
                    + " why it refused one.")
    static final class Status extends Read {
        @Override
        public Integer call() throws Exception {
            try (ClusterReads reads = ClusterReads.of(cluster)) {
                long current = reads.configuration(service).revision();
                List<Applied> containers = containers(reads.records(), service, current);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("revision", current);
                    result.put("containers", containers);
                    out.println(JSON.writeValueAsString(result));
                } else {
                    out.println("configuration of " + service + " is at revision " + current);
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"NODE", "VERSION", "APPLIED", "ERROR"});
                    for (Applied c : containers) {
                        rows.add(new String[] {c.node(), c.version(), Long.toString(c.revision()),
                                c.error() == null ? "-" : c.error()});
                    }
                    TextTable.print(out, rows);
                }
                out.flush();
                return ExitCode.OK;
            }
        }

        /** The service's ACTIVE containers as their nodes report them, against {@code revision}. */
        static List<Applied> containers(ClusterReader.Snapshot records, String service, long revision) {
            List<Applied> all = new ArrayList<>();
            for (NodeRecord node : records.nodes()) {
                NodeStatus status = records.statuses().get(node.id());
                for (ContainerStatus c : status == null ? List.<ContainerStatus>of() : status.containers()) {
                    if (c.service().equals(service) && c.state() == InstanceState.ACTIVE) {
                        boolean refused = c.configError() != null && c.configError().startsWith("revision "
                                + revision + ":");
                        all.add(new Applied(node.id(), c.version(), c.configRevision(),
                                c.configRevision() >= revision && !refused, refused ? c.configError() : null));
                    }
                }
            }
            return all;
        }
    }
}
