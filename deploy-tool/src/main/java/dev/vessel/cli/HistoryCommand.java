package dev.vessel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentRevision;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Shows a service's desired-state revisions, newest last; `vessel rollback --to-revision N`"
                + " restores one.")
final class HistoryCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--json", description = "Print the deployment with its history as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Deployment deployment;
        java.util.Map<String, String> signers = new java.util.TreeMap<>();
        try (ClusterReads reads = ClusterReads.of(cluster)) {
            deployment = reads.deployment(service);
            if (!json && !deployment.history().isEmpty()) {
                reads.signatures(service).signatures().forEach(s -> signers.put(s.version(), s.keyId()));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.writeValueAsString(deployment));
        } else if (deployment.history().isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, service + " has never been deployed");
        } else {
            for (DeploymentRevision r : deployment.history()) {
                out.printf("%s%4d  %s  %-40s  %s  by %s%n", r.revision() == deployment.revision() ? "*" : " ",
                        r.revision(), Instant.ofEpochMilli(r.at()), r.action(),
                        r.versions().stream().map(RolloutOutput::describe).collect(Collectors.joining(", ", "[", "]")),
                        r.by());
            }
            if (!signers.isEmpty()) {
                out.println("signed: " + signers.entrySet().stream().map(e -> e.getKey() + " by " + e.getValue())
                        .collect(Collectors.joining(", ")) + " (vessel releases says what the trust policy makes of"
                        + " each)");
            }
        }
        out.flush();
        return ExitCode.OK;
    }
}
