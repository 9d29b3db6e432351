package dev.vessel.cli;

import dev.vessel.protocol.admin.DeploymentChange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "retire", mixinStandardHelpOptions = true,
        description = "Removes a version from the desired state: its containers leave the registry, drain and stop.")
final class RetireCommand extends DeploymentChangeCommand {
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
        return new DeploymentChange("retire", version, null, null, null, null, by);
    }
}
