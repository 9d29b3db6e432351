package dev.vessel.cli;

import static dev.vessel.host.rollout.RolloutRuleReader.text;

import dev.vessel.host.rollout.InvalidRuleException;
import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.host.rollout.RolloutRuleReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "rule", mixinStandardHelpOptions = true,
        description = "Rollout rules: the steps a release's weight goes through and the gates its measured health"
                + " must pass.",
        subcommands = {RuleCommand.Validate.class, RuleCommand.Set.class, RuleCommand.Get.class,
                RuleCommand.History.class, RuleCommand.Rollback.class})
final class RuleCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel rule needs what to do: validate, set, get, history or"
                + " rollback");
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Checks a rollout rule (YAML) and prints the plan it makes: steps, gates, nodes and how long"
                    + " a rollout takes at least and at most. Every problem is named with its line and what is"
                    + " allowed there; exit 2 when there is one.")
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The rule file.")
        Path file;

        @picocli.CommandLine.Option(names = "--service", paramLabel = "SERVICE", description = "Also check the rule"
                + " against the service as the cluster runs it now: a rollout needs a deployed version to share the"
                + " calls with and measure the release against.")
        String service;

        @picocli.CommandLine.Mixin
        ClusterOptions cluster;

        @picocli.CommandLine.Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            RolloutRule rule = checked(file, readRule(file));
            java.util.List<String> deployed = java.util.List.of();
            if (service != null) {
                deployed = ServiceVerb.withAdmin(cluster, admin, client -> client.deployment(service)).versions()
                        .stream().map(dev.vessel.registry.DeployedVersion::version).toList();
                if (deployed.isEmpty()) {
                    throw new CliException(ExitCode.BAD_INPUT, file.getFileName() + ": " + service + " has no version"
                            + " deployed, so a release under this rule would have nothing to share calls with"
                            + (rule.comparesWithBaseline() ? " nor a baseline for its gates that compare with one"
                                    + " (maxVsBaseline)" : "") + "; deploy its first release without a rule");
                }
                String newest = deployed.stream().map(org.osgi.framework.Version::parseVersion)
                        .max(java.util.Comparator.naturalOrder()).orElseThrow().toString();
                for (RolloutRule.QueryGate gate : rule.analysis().map(RolloutRule.Analysis::queries)
                        .orElse(java.util.List.of())) {
                    String query = dev.vessel.host.rollout.PrometheusQuery.expand(gate.query(), service, newest,
                            newest);
                    try {
                        dev.vessel.host.rollout.PrometheusQuery.value(rule.analysis().orElseThrow().prometheus()
                                .orElseThrow(), query);
                    } catch (dev.vessel.host.rollout.PrometheusQuery.Unanswered e) {
                        throw new CliException(ExitCode.BAD_INPUT, file.getFileName() + ": the gate query " + query
                                + " (with {{canary}} as " + newest + ", which runs now): " + e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CliException(ExitCode.FAILED, "interrupted");
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(file.getFileName() + ": a valid rollout rule" + (service == null ? "" : " for " + service
                    + " (deployed: " + String.join(", ", deployed) + ")"));
            plan(rule).lines().forEach(line -> out.println("  " + line));
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Gives a service a new revision of its rollout rule, from a YAML file: checked here and by"
                    + " the node, written only when valid, conditional on the revision it was decided on.")
    static final class Set extends ServiceVerb {
        @Parameters(index = "1", paramLabel = "FILE", description = "The rule file.")
        Path file;

        @picocli.CommandLine.Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "Why, for the"
                + " history.")
        String message;

        @picocli.CommandLine.Option(names = "--dry-run", description = "Check it and show the plan; write nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            String yaml = readRule(file);
            RolloutRule rule = checked(file, yaml);
            dev.vessel.registry.RuleRevision written = withAdmin(client -> {
                long current = currentRevision(client, service);
                dev.vessel.protocol.admin.RuleChange change = new dev.vessel.protocol.admin.RuleChange(yaml, null,
                        current, message, AdminOptions.who(), null);
                return client.changeRule(service, dryRun ? change.asDryRun() : change);
            });
            PrintWriter out = spec.commandLine().getOut();
            out.println((dryRun ? "valid; would be revision " : "rule of " + service + " is at revision ")
                    + written.revision() + (dryRun ? " of the rule of " + service + " (nothing written)" : ""));
            plan(rule).lines().forEach(line -> out.println("  " + line));
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Prints a service's current rollout rule (its YAML, to stdout; the revision to stderr).")
    static final class Get extends ServiceVerb {
        @Override
        public Integer call() {
            dev.vessel.registry.RuleRevision rule = withAdmin(client -> client.rule(service));
            spec.commandLine().getErr().println("rule of " + service + ", revision " + rule.revision() + " by "
                    + rule.author() + " at " + java.time.Instant.ofEpochMilli(rule.time()));
            spec.commandLine().getErr().flush();
            spec.commandLine().getOut().print(rule.yaml());
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "Every revision of a service's rollout rule, oldest first; * marks the current one.")
    static final class History extends ServiceVerb {
        @Override
        public Integer call() {
            java.util.List<dev.vessel.registry.RuleRevision> history = withAdmin(client -> client.ruleHistory(service));
            PrintWriter out = spec.commandLine().getOut();
            if (history.isEmpty()) {
                out.println(service + " has no rollout rule");
            }
            for (int i = 0; i < history.size(); i++) {
                dev.vessel.registry.RuleRevision r = history.get(i);
                out.printf(Locale.ROOT, "%s %4d  %s  %-32s  by %s%n", i == history.size() - 1 ? "*" : " ",
                        r.revision(), java.time.Instant.ofEpochMilli(r.time()), r.message(), r.author());
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Gives a service a new revision of its rollout rule with an earlier revision's text.")
    static final class Rollback extends ServiceVerb {
        @picocli.CommandLine.Option(names = "--to", paramLabel = "REVISION", required = true,
                description = "The revision whose rule to go back to.")
        long to;

        @Override
        public Integer call() {
            dev.vessel.registry.RuleRevision written = withAdmin(client -> client.changeRule(service,
                    new dev.vessel.protocol.admin.RuleChange(null, to, currentRevision(client, service), null,
                            AdminOptions.who(), null)));
            spec.commandLine().getOut().println("rule of " + service + " is at revision " + written.revision()
                    + " (the rule of revision " + to + ")");
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }

    /** The revision a change is decided on: the current one, 0 when the service has no rule yet. */
    private static long currentRevision(dev.vessel.deploy.AdminClient client, String service) {
        try {
            return client.rule(service).revision();
        } catch (dev.vessel.deploy.AdminException e) {
            if (dev.vessel.protocol.ErrorCode.NOT_FOUND.name().equals(e.code())) {
                return 0;
            }
            throw e;
        }
    }

    static String readRule(Path file) {
        try {
            if (Files.size(file) > RolloutRuleReader.MAX_BYTES) {
                throw new CliException(ExitCode.BAD_INPUT, file + ": a rule is at most " + RolloutRuleReader.MAX_BYTES
                        + " bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(ExitCode.BAD_INPUT, "cannot read " + file + ": " + e);
        }
    }

    /** The rule {@code yaml} states, or every problem with its line in the file. */
    static RolloutRule checked(Path file, String yaml) {
        try {
            return RolloutRuleReader.read(yaml, file.getFileName().toString());
        } catch (InvalidRuleException e) {
            throw new CliException(ExitCode.BAD_INPUT, e.problems().size() == 1 ? e.getMessage()
                    : e.problems().size() + " problems:\n  " + String.join("\n  ", e.problems()));
        }
    }

    /** The rule as a person reads it. */
    static String plan(RolloutRule rule) {
        return String.join("\n", rule.describe()) + "\n";
    }
}
