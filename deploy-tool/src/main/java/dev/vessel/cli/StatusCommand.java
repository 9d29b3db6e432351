package dev.vessel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows every node, its containers, their versions and states, and whether each is registered.")
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    /** Output records: the shape of {@code --json}. */
    record ClusterStatus(String zk, List<NodeView> nodes) {}

    /** @param behind services the node has not brought to their desired state yet, and why */
    record NodeView(String id, String url, String zone, List<ContainerView> containers, List<NodeStatus.Behind> behind) {}

    /**
     * @param load            the load the node last published for the container, null when it is not registered
     * @param overloaded      calls it refused because its bulkhead was full
     * @param leftoverThreads threads its release left running after it stopped
     */
    record ContainerView(String id, String service, String version, String state, boolean registered, Double load,
            String error, int maxConcurrency, long overloaded, List<String> leftoverThreads) {}

    @Override
    public Integer call() throws Exception {
        ClusterStatus status;
        try (RegistryConnection registry = cluster.connect()) {
            status = read(registry);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.writeValueAsString(status));
        } else {
            printTable(out, status);
        }
        out.flush();
        return ExitCode.OK;
    }

    private ClusterStatus read(RegistryConnection registry) {
        ClusterReader reader = new ClusterReader(registry);
        Map<String, InstanceRecord> registered = reader.instances().stream()
                .collect(Collectors.toMap(InstanceRecord::id, record -> record, (a, b) -> a));
        List<NodeView> nodes = new ArrayList<>();
        for (NodeRecord node : reader.nodes()) {
            List<ContainerView> containers = new ArrayList<>();
            Optional<NodeStatus> nodeStatus = reader.status(node.id());
            for (ContainerStatus c : nodeStatus.map(NodeStatus::containers).orElse(List.of())) {
                InstanceRecord record = registered.get(node.id() + "." + c.id());
                containers.add(new ContainerView(c.id(), c.service(), c.version(), c.state().name(), record != null,
                        record == null ? null : record.load(), c.error(), c.maxConcurrency(), c.overloaded(),
                        c.leftoverThreads()));
            }
            nodes.add(new NodeView(node.id(), node.url(), node.zone(), containers,
                    nodeStatus.map(NodeStatus::behind).orElse(List.of())));
        }
        return new ClusterStatus(cluster.connectString(), nodes);
    }

    private static void printTable(PrintWriter out, ClusterStatus status) {
        if (status.nodes().isEmpty()) {
            out.println("No nodes are registered (ZooKeeper " + status.zk() + ").");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "URL", "ZONE", "SERVICE", "VERSION", "STATE", "REGISTERED", "LOAD", "ERROR"});
        for (NodeView node : status.nodes()) {
            if (node.containers().isEmpty()) {
                rows.add(new String[] {node.id(), node.url(), node.zone(), "-", "-", "-", "-", "-", ""});
            }
            for (ContainerView c : node.containers()) {
                String note = c.error() == null ? "" : c.error();
                if (!c.leftoverThreads().isEmpty()) {
                    note = (note.isEmpty() ? "" : note + "; ") + "left threads running: " + c.leftoverThreads();
                }
                rows.add(new String[] {node.id(), node.url(), node.zone(), c.service(), c.version(), c.state(),
                        c.registered() ? "yes" : "no", c.load() == null ? "-" : String.format(Locale.ROOT, "%.2f", c.load()),
                        note});
            }
        }
        List<String> behind = new ArrayList<>();
        for (NodeView node : status.nodes()) {
            for (NodeStatus.Behind b : node.behind()) {
                long in = Math.max(0, (b.nextRetry() - System.currentTimeMillis() + 999) / 1000);
                behind.add("node " + node.id() + " is behind on " + b.service() + " (revision " + b.revision()
                        + "): " + b.lastError() + "; " + b.attempts() + " attempt(s), next retry in " + in + " s");
            }
        }
        TextTable.print(out, rows);
        behind.forEach(out::println);
    }
}
