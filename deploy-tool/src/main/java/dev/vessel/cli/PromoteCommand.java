package dev.vessel.cli;

import dev.vessel.deploy.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Gives a canary 100 %% of the calls its callers' ranges admit.")
final class PromoteCommand extends DeploymentChangeCommand {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", paramLabel = "VERSION")
    String version;

    @Override
    String service() {
        return service;
    }

    @Override
    AdminClient.Change change(String by) {
        return new AdminClient.Change("promote", version, null, null, null, null, by);
    }
}
