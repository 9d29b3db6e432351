package dev.vessel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.registry.ClusterOverview;
import dev.vessel.registry.NodeStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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

    @Override
    public Integer call() throws Exception {
        ClusterOverview status;
        try (ClusterReads reads = ClusterReads.of(cluster)) {
            status = reads.status();
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

    private static void printTable(PrintWriter out, ClusterOverview status) {
        if (status.nodes().isEmpty()) {
            out.println("No nodes are registered (ZooKeeper " + status.zk() + ").");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "URL", "ZONE", "SERVICE", "VERSION", "STATE", "REGISTERED", "LOAD", "CPU-SEC",
                "CPU-LIMIT", "ALLOC-MIB", "ERROR"});
        for (ClusterOverview.Node node : status.nodes()) {
            if (node.containers().isEmpty()) {
                rows.add(new String[] {node.id(), node.url(), node.zone(), "-", "-", "-", "-", "-", "-", "-", "-", ""});
            }
            for (ClusterOverview.Container c : node.containers()) {
                String note = c.error() == null ? "" : c.error();
                if (!c.leftoverThreads().isEmpty()) {
                    note = (note.isEmpty() ? "" : note + "; ") + "left threads running: " + c.leftoverThreads();
                }
                rows.add(new String[] {node.id(), node.url(), node.zone(), c.service(), c.version(), c.state(),
                        c.registered() ? "yes" : "no", c.load() == null ? "-" : String.format(Locale.ROOT, "%.2f", c.load()),
                        c.cpu() == null ? "-" : String.format(Locale.ROOT, "%.1f", c.cpu().seconds()),
                        c.cpu() == null ? "-" : String.format(Locale.ROOT, "%.2f", c.cpu().limit()),
                        c.cpu() == null ? "-" : String.format(Locale.ROOT, "%.0f", c.cpu().allocatedBytes() / 1048576.0),
                        note});
            }
        }
        List<String> behind = new ArrayList<>();
        for (ClusterOverview.Node node : status.nodes()) {
            for (NodeStatus.Behind b : node.behind()) {
                long in = Math.max(0, (b.nextRetry() - System.currentTimeMillis() + 999) / 1000);
                behind.add("node " + node.id() + " is behind on " + b.service() + " (revision " + b.revision()
                        + "): " + b.lastError() + "; " + b.attempts() + " attempt(s), next retry in " + in + " s");
            }
        }
        TextTable.print(out, rows);
        behind.forEach(out::println);
        for (ClusterOverview.Node node : status.nodes()) {
            if (node.cpu() != null) {
                out.println("node " + node.id() + ": CPU isolation " + node.cpu().mechanism() + " (" + node.cpu().reason()
                        + "); containers share " + String.format(Locale.ROOT, "%.2f", node.cpu().capacity())
                        + " cores");
            }
        }
    }
}
