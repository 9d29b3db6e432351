package dev.vessel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.deploy.RolloutSource;
import dev.vessel.deploy.RolloutWatch;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.RegistryConnection;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vessel rollout status}: where a service's rollout stands, once or live until it settles. */
@Command(name = "rollout", mixinStandardHelpOptions = true, subcommands = RolloutCommand.Status.class,
        description = "Follows rollouts.")
final class RolloutCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel rollout needs what to do: status");
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Per node and version, how far the service's current revision has got. With --watch, prints"
                    + " each change until the rollout settles (exit 0), a node reports a version FAILED (exit 1), or"
                    + " the timeout passes (exit 1); a service not deployed yet is waited for. Without --watch: exit 0"
                    + " unless a version FAILED.")
    static final class Status implements Callable<Integer> {
        private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;

        @Option(names = "--watch", description = "Print every change until the rollout settles, fails or times out.")
        boolean watch;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
                description = "How long --watch waits (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Option(names = "--json", description = "Print the final state as JSON (no progress lines).")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (timeoutSeconds < 0) {
                throw new CliException(ExitCode.BAD_INPUT, "--timeout must not be negative; got " + timeoutSeconds);
            }
            PrintWriter out = spec.commandLine().getOut();
            RolloutWatch.Ended ended;
            java.util.Optional<dev.vessel.deploy.AdminClient> viaNode = RecordedNode.client(cluster, new AdminOptions());
            if (viaNode.isPresent()) {
                ended = follow(RolloutSource.node(viaNode.get()), out);
            } else {
                try (RegistryConnection registry = cluster.connect();
                        RolloutSource source = RolloutSource.zooKeeper(registry)) {
                    ended = follow(source, out);
                }
            }
            if (ended.deployment().history().isEmpty()) {
                throw new CliException(ExitCode.NOT_FOUND, service + " has never been deployed");
            }
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("service", service);
                result.put("revision", ended.deployment().revision());
                result.put("ending", ended.ending());
                result.put("nodes", ended.convergence().nodes());
                result.put("failures", ended.convergence().failures());
                result.put("unwanted", ended.convergence().unwanted());
                out.println(JSON.writeValueAsString(result));
            } else {
                switch (ended.ending()) {
                    case SETTLED -> out.println("settled: every targeted node runs revision "
                            + ended.deployment().revision());
                    case FAILED -> ended.convergence().failures().forEach(f -> out.println("FAILED " + f));
                    case NOT_SETTLED -> out.println((watch ? "not settled after " + timeoutSeconds + " s"
                            : "in progress") + ": " + pending(ended.convergence()));
                }
            }
            out.flush();
            return switch (ended.ending()) {
                case SETTLED -> ExitCode.OK;
                case FAILED -> ExitCode.FAILED;
                case NOT_SETTLED -> watch ? ExitCode.FAILED : ExitCode.OK;
            };
        }

        private RolloutWatch.Ended follow(RolloutSource source, PrintWriter out) throws InterruptedException {
            if (watch) {
                Progress progress = new Progress(out);
                return RolloutWatch.watch(source, service, Duration.ofSeconds(timeoutSeconds),
                        json ? (d, c) -> { } : progress::show);
            }
            RolloutWatch.Ended ended = RolloutWatch.now(source, service);
            if (!json) {
                new Progress(out).show(ended.deployment(), ended.convergence());
            }
            return ended;
        }

        private static String pending(Convergence convergence) {
            String waiting = convergence.nodes().stream().filter(n -> !n.done()).map(Status::line)
                    .collect(Collectors.joining(", "));
            String unwanted = convergence.unwanted().stream().map(id -> id + " still registered")
                    .collect(Collectors.joining(", "));
            return waiting.isEmpty() ? unwanted : unwanted.isEmpty() ? waiting : waiting + ", " + unwanted;
        }

        static String line(Convergence.NodeProgress node) {
            return node.node() + "  " + node.version() + "  " + node.state()
                    + (node.done() ? "" : node.registered() ? "" : " (not registered yet)");
        }
    }

    /** Prints the revision when it changes and each node's line when it changes: a live log, not a redraw. */
    private static final class Progress {
        private final PrintWriter out;
        private final Map<String, String> shown = new HashMap<>();
        private long revision = -1;

        Progress(PrintWriter out) {
            this.out = out;
        }

        void show(Deployment deployment, Convergence convergence) {
            if (deployment.history().isEmpty()) {
                return; // nothing deployed yet: a watch waits for the first revision
            }
            if (deployment.revision() != revision) {
                revision = deployment.revision();
                shown.clear();
                out.println("revision " + revision + " of " + deployment.service() + ": " + deployment.versions()
                        .stream().map(RolloutOutput::describe).collect(Collectors.joining(", ")));
            }
            for (Convergence.NodeProgress node : convergence.nodes()) {
                String line = Status.line(node);
                if (!line.equals(shown.put(node.node() + " " + node.version(), line))) {
                    out.println("  " + line);
                }
            }
            for (String unwanted : convergence.unwanted()) {
                String line = unwanted + " still registered";
                if (!line.equals(shown.put(unwanted, line))) {
                    out.println("  " + line);
                }
            }
            out.flush();
        }
    }
}
