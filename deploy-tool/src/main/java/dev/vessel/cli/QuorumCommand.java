package dev.vessel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.host.QuorumStatus;
import dev.vessel.registry.RegistryConnection;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "quorum", mixinStandardHelpOptions = true,
        description = "The ZooKeeper quorum the nodes run: its members and the changes the quorum manager made.",
        subcommands = {QuorumCommand.Status.class, QuorumCommand.History.class, QuorumCommand.Recover.class,
                QuorumCommand.ReaderSecret.class})
final class QuorumCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel quorum needs what to do: status, history, recover or"
                + " reader-secret");
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Members (role in the configuration, each member's own mode, last zxid, lag behind the"
                    + " leader in transactions, latency, node,"
                    + " zone), the configuration version, what the quorum manager last found or did, the changes"
                    + " under way with their progress (a removal counting towards the threshold, a promotion"
                    + " towards the stabilization time) and a reconfiguration in flight.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--json", description = "Print the status as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            QuorumStatus status = read(cluster);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(status));
                out.flush();
                return ExitCode.OK;
            }
            out.println("configuration version " + status.configVersion());
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "ADDRESS", "ROLE", "MODE", "ZXID", "LAG", "LATENCY", "NODE", "ZONE"});
            for (QuorumStatus.Member m : status.members()) {
                rows.add(new String[] {Long.toString(m.id()), m.address(), m.role(), m.mode(), m.zxid(), m.lag(),
                        m.latency(), m.node(), m.zone()});
            }
            TextTable.print(out, rows);
            QuorumStatus.Manager manager = status.manager();
            if (manager != null) {
                out.println("manager " + manager.manager() + " (" + Instant.ofEpochMilli(manager.time()) + "): "
                        + manager.state());
                QuorumStatus.InFlight inFlight = manager.inFlight();
                if (inFlight != null) {
                    out.println("in flight: " + inFlight.change() + " server " + inFlight.server()
                            + " from configuration " + inFlight.fromVersion() + " (" + inFlight.reason() + ")");
                }
                for (QuorumStatus.Pending pending : manager.pending()) {
                    out.println("pending: " + pending.progress());
                }
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "Every membership change the quorum manager made and why, oldest first.")
    static final class History implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--json", description = "Print the changes as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            QuorumStatus status = read(cluster);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(status.history()));
            } else if (status.history().isEmpty()) {
                out.println("no membership change yet");
            } else {
                for (QuorumStatus.Change change : status.history()) {
                    out.printf("%s  %-12s  server %-3s  config %s -> %s  by %s: %s%n",
                            Instant.ofEpochMilli(change.time()), change.change(), change.server(),
                            change.fromVersion(), change.toVersion(), change.by(), change.reason());
                }
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "recover", mixinStandardHelpOptions = true,
            description = "Re-founds the quorum from the member of one surviving node after a majority of its voters"
                    + " is lost for good: that member becomes the only voter, keeping everything it had logged, and"
                    + " the others become observers. A lost member that returns follows it (what it had that the"
                    + " survivor lacked is dropped) and is made a voter again by the quorum manager, which also"
                    + " grows the voters back as members join. Writes the survivor never received are lost: recover"
                    + " from the member with the highest ZXID (vessel quorum status, or srvr on each). Refused while"
                    + " the member serves.")
    static final class Recover implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--server", required = true, paramLabel = "URL",
                description = "The node whose quorum member survived (its admin API; the registry is down, so it"
                        + " cannot be looked up).")
        java.net.URI server;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "File holding the admin token. Default: $VESSEL_TOKEN, else the token `vessel up`"
                        + " recorded.")
        java.nio.file.Path tokenFile;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--json", description = "Print the answer as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            AdminOptions admin = new AdminOptions();
            admin.tokenFile = tokenFile;
            // the node's TLS trust as every verb takes it (--trust-store, or what `vessel up --tls` recorded)
            dev.vessel.protocol.admin.AdminAnswers.QuorumRecovered recovered = new dev.vessel.deploy.AdminClient(
                    server, admin.token(), cluster.tls().orElse(null), java.time.Duration.ofSeconds(120))
                    .recoverQuorum();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(recovered));
            } else {
                out.println("quorum re-founded from server " + recovered.member() + " (" + server + "): configuration "
                        + recovered.fromVersion() + " -> " + recovered.toVersion());
                out.println("voter: " + recovered.member() + "; observers until they follow again: "
                        + (recovered.observers().isEmpty() ? "none" : recovered.observers()));
                out.println("the registry is served at " + recovered.servers() + "; the quorum manager makes members"
                        + " voters again as they follow in sync (vessel quorum status)");
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "reader-secret", mixinStandardHelpOptions = true,
            description = "Prints the registry reader secret of the cluster whose admin token this is: what routers"
                    + " (VesselClient.builder().readerSecret) and read-only tools need to read a secured registry."
                    + " It cannot write, and it reveals nothing of the token.")
    static final class ReaderSecret implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "File holding the admin token. Default: $VESSEL_TOKEN, else the token `vessel up`"
                        + " recorded.")
        java.nio.file.Path tokenFile;

        @Override
        public Integer call() {
            AdminOptions admin = new AdminOptions();
            admin.tokenFile = tokenFile;
            PrintWriter out = spec.commandLine().getOut();
            out.println(dev.vessel.registry.RegistryCredentials.readerSecret(admin.token()));
            out.flush();
            return ExitCode.OK;
        }
    }

    private static QuorumStatus read(ClusterOptions cluster) throws Exception {
        try (RegistryConnection registry = cluster.connect()) {
            return QuorumStatus.read(registry.curator(), cluster.root);
        }
    }
}
