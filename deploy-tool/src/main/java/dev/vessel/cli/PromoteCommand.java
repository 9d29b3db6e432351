package dev.vessel.cli;

import dev.vessel.protocol.admin.DeploymentChange;
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
    DeploymentChange change(String by) {
        return new DeploymentChange("promote", version, null, null, null, null, by);
    }
}
