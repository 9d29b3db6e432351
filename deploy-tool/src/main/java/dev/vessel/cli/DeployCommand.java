package dev.vessel.cli;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.deploy.RolloutSource;
import dev.vessel.deploy.RuleRollout;
import java.io.PrintWriter;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.RegistryConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Uploads bundle jars as one release, validates it, deploys it and waits until it is ACTIVE on"
                + " every targeted node. A release that fails anywhere is rolled back automatically."})
final class DeployCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    AdminOptions admin;

    @Parameters(paramLabel = "JAR", arity = "1..*", description = "The release's bundle jars.")
    List<Path> jars;

    @Option(names = "--service", description = "Service name (default: the primary bundle's Vessel-Service header,"
            + " else its symbolic name).")
    String service;

    @Option(names = "--weight", paramLabel = "PCT", defaultValue = "100",
            description = "Canary weight 1-100: the share of calls, among callers whose range also admits the older"
                    + " version, that this release gets (default ${DEFAULT-VALUE}).")
    int weight;

    @Option(names = "--replace", description = "Once ACTIVE everywhere, retire the older releases of the same major"
            + " version.")
    boolean replace;

    @Option(names = "--nodes", paramLabel = "SELECTOR", defaultValue = DeployedVersion.ALL_NODES,
            description = "Node ids and key=value labels, comma-separated (default: every node).")
    String nodes;

    @Option(names = "--dry-run", description = "Validate only: nothing is stored or deployed.")
    boolean dryRun;

    @Option(names = "--no-wait", description = "Return once the desired state is written.")
    boolean noWait;

    @Option(names = "--force", description = "Accept a release whose version bnd's baseline finds understated, or"
            + " whose Metatype the service's current configuration does not fit; the baseline override is recorded"
            + " in the release.")
    boolean force;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait for the rollout (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--chunk-size", paramLabel = "BYTES", defaultValue = "4194304",
            description = "Chunk size of the upload: the unit of resuming and of peer-to-peer distribution"
                    + " (default ${DEFAULT-VALUE}).")
    int chunkSize;

    @Option(names = "--max-concurrency", paramLabel = "N", defaultValue = "0",
            description = "Calls one container of this release runs at once; as many again may wait and the rest are"
                    + " refused at once (503 OVERLOADED, retried elsewhere). Default: the node's own (64).")
    int maxConcurrency;

    @Option(names = "--cpu", paramLabel = "CORES", defaultValue = "0",
            description = "CPU share of one container of this release, in cores: its weight against the node's other"
                    + " containers when the cores are all busy. Default: 1, the same as every container.")
    double cpu;

    @Option(names = "--cpu-limit", paramLabel = "CORES", defaultValue = "0",
            description = "The cores one container of this release may use at most, whatever its neighbours do."
                    + " Default: the node's cores less its reserve.")
    double cpuLimit;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--signature", paramLabel = "FILE", description = "The release's signature, as `vessel release"
            + " sign` wrote it: stored with the release, and required where the service's signature policy is"
            + " require.")
    Path signature;

    @Option(names = "--rule", paramLabel = "FILE", description = "Roll the release out under this rollout rule"
            + " (YAML): its steps, holds and gates, measured on the cluster's calls; the cluster promotes it or rolls"
            + " it back. Exit 0 when promoted, 1 when rolled back. Without it, a service's stored rule applies.")
    Path rule;

    @Option(names = "--no-rule", description = "Deploy as told (--weight) even when the service has a stored rollout"
            + " rule.")
    boolean noRule;

    @Override
    public Integer call() throws Exception {
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new CliException(ExitCode.BAD_INPUT, jar + " is not a file");
            }
        }
        if (weight < 1 || weight > 100) {
            throw new CliException(ExitCode.BAD_INPUT, "--weight must be 1-100; got " + weight);
        }
        if (maxConcurrency < 0 || maxConcurrency > DeployedVersion.MAX_CONCURRENCY_LIMIT) {
            throw new CliException(ExitCode.BAD_INPUT, "--max-concurrency must be 1-"
                    + DeployedVersion.MAX_CONCURRENCY_LIMIT + "; got " + maxConcurrency);
        }
        try {
            DeployedVersion.requireCpu(cpu, cpuLimit);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.BAD_INPUT, "--cpu/--cpu-limit: " + e.getMessage());
        }
        if (chunkSize < 1024) {
            throw new CliException(ExitCode.BAD_INPUT, "--chunk-size must be at least 1024 bytes; got " + chunkSize);
        }
        RuleRollout.Choice ruleChoice = ruleChoice();
        ProgressPrinter progress = new ProgressPrinter(spec.commandLine().getErr(), json);
        Rollout.Request request = new Rollout.Request(jars, service, weight, replace, nodes, dryRun, !noWait, force,
                Duration.ofSeconds(timeoutSeconds), AdminOptions.who(), chunkSize, maxConcurrency, cpu, cpuLimit);
        java.util.Optional<dev.vessel.registry.ReleaseSignature> signed = java.util.Optional.ofNullable(signature)
                .map(ReleaseCommand::readSignature);
        java.util.Optional<AdminClient> viaNode = RecordedNode.client(cluster, admin);
        if (viaNode.isPresent()) {
            signed.ifPresent(viaNode.get()::putSignature);
            try (UploadBars bars = new UploadBars(json)) {
                return finish(new Rollout(viaNode.get(), RolloutSource.node(viaNode.get()), progress, bars)
                        .deploy(request, ruleChoice, ruleProgress(), ruleTimeout()), progress);
            }
        }
        try (RegistryConnection registry = cluster.connect(); UploadBars bars = new UploadBars(json)) {
            AdminClient client = admin.client(cluster, registry);
            signed.ifPresent(client::putSignature);
            return finish(new Rollout(client, registry, progress, bars)
                    .deploy(request, ruleChoice, ruleProgress(), ruleTimeout()), progress);
        }
    }

    /** The rule this deploy follows; a rule file is checked here first, so its problems cost no upload. */
    private RuleRollout.Choice ruleChoice() {
        if (rule != null && noRule) {
            throw new CliException(ExitCode.BAD_INPUT, "--rule and --no-rule exclude each other");
        }
        if (rule == null) {
            return noRule ? new RuleRollout.Choice.None() : new RuleRollout.Choice.StoredIfAny();
        }
        for (String option : new String[] {"--weight", "--replace"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new CliException(ExitCode.BAD_INPUT, option + " does not go with --rule: the rule's steps give"
                        + " the weights, and a promoted rollout retires the versions it replaces");
            }
        }
        String yaml = RuleCommand.readRule(rule);
        RuleCommand.checked(rule, yaml);
        return new RuleRollout.Choice.Given(yaml, rule.getFileName().toString());
    }

    /** With a rule, --timeout bounds the wait only when given: a rollout takes as long as its rule says. */
    private Duration ruleTimeout() {
        return spec.commandLine().getParseResult().hasMatchedOption("--timeout") ? Duration.ofSeconds(timeoutSeconds)
                : null;
    }

    private RuleRollout.Listener ruleProgress() {
        // with --json the result alone is printed, as JSON, at the end
        return RolloutReport.printer(json ? new PrintWriter(java.io.Writer.nullWriter())
                : spec.commandLine().getOut(), "");
    }

    private int finish(Rollout.Result result, ProgressPrinter progress) throws Exception {
        progress.finish();
        return RolloutOutput.print(spec.commandLine().getOut(), result, json);
    }
}
