package dev.vessel.cli;

import dev.vessel.protocol.admin.DeploymentChange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Restores an earlier revision of a service's desired state (default: the previous one).")
final class RollbackCommand extends DeploymentChangeCommand {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--to-revision", paramLabel = "N", description = "The revision to restore (see `vessel history`).")
    Long toRevision;

    @Override
    String service() {
        return service;
    }

    @Override
    DeploymentChange change(String by) {
        return new DeploymentChange("rollback", null, null, null, null, toRevision, by);
    }
}
