package dev.vessel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.deploy.AdminException;
import dev.vessel.deploy.RolloutSource;
import dev.vessel.deploy.RuleRollout;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.RolloutStore;
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
@Command(name = "rollout", mixinStandardHelpOptions = true, subcommands = {RolloutCommand.Status.class,
        RolloutCommand.Pause.class, RolloutCommand.Resume.class, RolloutCommand.Promote.class,
        RolloutCommand.Abort.class}, description = "Follows rollouts, and acts on a rollout under a rule.")
final class RolloutCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel rollout needs what to do: status, pause, resume, promote"
                + " or abort");
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
                java.util.Optional<RolloutRecord> ruled = analysis(viaNode.get());
                if (ruled.isPresent() && !json) {
                    dev.vessel.deploy.AdminClient client = viaNode.get();
                    Integer exit = ruled(ruled.get(), () -> client.rolloutAnalysis(service), out);
                    if (exit != null) {
                        return exit;
                    }
                }
                ended = follow(RolloutSource.node(viaNode.get()), out);
            } else {
                try (RegistryConnection registry = cluster.connect();
                        RolloutSource source = RolloutSource.zooKeeper(registry)) {
                    RolloutStore store = new RolloutStore(registry);
                    java.util.Optional<RolloutRecord> ruled = store.read(service).map(RolloutStore.Stored::record);
                    if (ruled.isPresent() && !json) {
                        Integer exit = ruled(ruled.get(), () -> store.read(service).orElseThrow().record(), out);
                        if (exit != null) {
                            return exit;
                        }
                    }
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

        private java.util.Optional<RolloutRecord> analysis(dev.vessel.deploy.AdminClient client) {
            try {
                return java.util.Optional.of(client.rolloutAnalysis(service));
            } catch (AdminException e) {
                if (ErrorCode.NOT_FOUND.name().equals(e.code())) {
                    return java.util.Optional.empty();
                }
                throw e;
            }
        }

        /**
         * Prints a rollout under a rule; with --watch, follows one that runs to its end and answers the exit code
         * (0 promoted, 1 rolled back, aborted or still running at the timeout). Null: go on with the convergence.
         */
        private Integer ruled(RolloutRecord rollout, java.util.function.Supplier<RolloutRecord> read,
                PrintWriter out) throws InterruptedException {
            if (!watch || rollout.phase().ended()) {
                RolloutReport.lines(rollout).forEach(out::println);
                out.flush();
                return null;
            }
            out.println("rollout   " + rollout.service() + " " + rollout.version() + " against " + rollout.baseline()
                    + " under " + rollout.ruleSource());
            out.flush();
            RolloutRecord end = RuleRollout.follow(read, rollout, Duration.ofSeconds(timeoutSeconds),
                    RolloutReport.printer(out, "  "));
            out.println(end.phase() + (end.outcome() == null ? " at step " + (end.step() + 1) + " after "
                    + timeoutSeconds + " s" : ": " + end.outcome()));
            out.flush();
            return end.phase() == RolloutRecord.Phase.PROMOTED ? ExitCode.OK : ExitCode.FAILED;
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

    /** A person's action on the service's rollout under a rule; prints where it stands after. */
    abstract static class Act extends ServiceVerb {
        abstract String action();

        @Override
        public Integer call() {
            RolloutRecord after = withAdmin(client -> client.actOnRollout(service, action(), AdminOptions.who()));
            PrintWriter out = spec.commandLine().getOut();
            out.println(action() + ": " + after.service() + " " + after.version() + " is " + after.phase()
                    + (after.phase().ended() ? (after.outcome() == null ? "" : " (" + after.outcome() + ")")
                            : " at step " + (after.step() + 1)));
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Holds the service's rollout where it is: no evaluation, no step, until resumed.")
    static final class Pause extends Act {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Goes on with a paused rollout; the step it is at starts again (its hold and its failed"
                    + " evaluations).")
    static final class Resume extends Act {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Takes the rollout to its next step now, whatever its hold and gates say: the way on from a"
                    + " step without a hold.")
    static final class Promote extends Act {
        @Override
        String action() {
            return "promote";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Ends the rollout and retires its release in one revision; calls it is running finish.")
    static final class Abort extends Act {
        @Override
        String action() {
            return "abort";
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
