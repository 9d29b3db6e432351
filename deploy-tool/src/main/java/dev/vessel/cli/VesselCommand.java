package dev.vessel.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** The root command: holds no logic, only the verbs. */
@Command(
        name = "vessel",
        mixinStandardHelpOptions = true,
        versionProvider = VesselVersion.class,
        description = "Runs versioned OSGi service containers and routes clients to the newest compatible release.")
public final class VesselCommand implements Runnable {
    /**
     * The verbs, in the order help lists them. Not in {@code @Command(subcommands)}: picocli would build every
     * verb's model (its classes loaded, its annotations read) on every run, about a third of a second a short verb
     * waited for; {@link Main} adds only the verb a command line names (all of them for help or an unknown verb).
     */
    static final List<Class<?>> VERBS = List.of(UpCommand.class, NodeCommand.class, DeployCommand.class,
            PromoteCommand.class, RetireCommand.class, RollbackCommand.class, HistoryCommand.class,
            ReleasesCommand.class, StatusCommand.class, CallCommand.class, QuorumCommand.class, ConfigCommand.class,
            RolloutCommand.class, RuleCommand.class, DashboardCommand.class, TokenCommand.class,
            ReleaseCommand.class, TrustCommand.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
