package dev.vessel.cli;

import picocli.CommandLine.Command;

/** The root command: holds no logic, only the verbs. */
@Command(
        name = "vessel",
        mixinStandardHelpOptions = true,
        versionProvider = VesselVersion.class,
        description = "Runs versioned OSGi service containers and routes clients to the newest compatible release.",
        subcommands = {UpCommand.class, NodeCommand.class, DeployCommand.class, PromoteCommand.class,
                RetireCommand.class, RollbackCommand.class, HistoryCommand.class, ReleasesCommand.class,
                StatusCommand.class, CallCommand.class, QuorumCommand.class, ConfigCommand.class,
                RolloutCommand.class, RuleCommand.class, DashboardCommand.class, TokenCommand.class,
                ReleaseCommand.class, TrustCommand.class})
public final class VesselCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
