package dev.vessel.cli;

import dev.vessel.host.rollout.InvalidRuleException;
import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.host.rollout.RolloutRuleReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "rule", mixinStandardHelpOptions = true,
        description = "Rollout rules: the steps a release's weight goes through and the gates its measured health"
                + " must pass.",
        subcommands = {RuleCommand.Validate.class})
final class RuleCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel rule needs what to do: validate");
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

        @Override
        public Integer call() {
            String yaml;
            try {
                if (Files.size(file) > RolloutRuleReader.MAX_BYTES) {
                    throw new CliException(ExitCode.BAD_INPUT, file + ": a rule is at most "
                            + RolloutRuleReader.MAX_BYTES + " bytes");
                }
                yaml = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(ExitCode.BAD_INPUT, "cannot read " + file + ": " + e);
            }
            RolloutRule rule;
            try {
                rule = RolloutRuleReader.read(yaml, file.getFileName().toString());
            } catch (InvalidRuleException e) {
                throw new CliException(ExitCode.BAD_INPUT, e.problems().size() == 1 ? e.getMessage()
                        : e.problems().size() + " problems:\n  " + String.join("\n  ", e.problems()));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(file.getFileName() + ": a valid rollout rule");
            plan(rule).lines().forEach(line -> out.println("  " + line));
            out.flush();
            return ExitCode.OK;
        }
    }

    /** The rule as a person reads it. */
    static String plan(RolloutRule rule) {
        StringBuilder plan = new StringBuilder();
        for (int i = 0; i < rule.steps().size(); i++) {
            RolloutRule.Step step = rule.steps().get(i);
            plan.append("step ").append(i + 1).append(": weight ").append(step.weight()).append(" %")
                    .append(step.hold().map(hold -> ", hold " + text(hold))
                            .orElse(step.weight() < 100 ? ", until promoted (vessel rollout promote)" : ""))
                    .append('\n');
        }
        rule.analysis().ifPresentOrElse(analysis -> {
            plan.append("analysis: every ").append(text(analysis.interval())).append(" over the last ")
                    .append(text(analysis.window())).append("; fewer than ").append(analysis.minCalls())
                    .append(" canary calls: ").append(analysis.onNoData().name().toLowerCase(Locale.ROOT))
                    .append("; rolled back after ").append(analysis.failureLimit()).append(" failed evaluation")
                    .append(analysis.failureLimit() == 1 ? "" : "s").append('\n');
            for (RolloutRule.Gate gate : analysis.gates()) {
                plan.append("gate: ").append(gate.metric().yaml()).append(" at most ");
                String absolute = gate.maxRatio().map(String::valueOf)
                        .or(() -> gate.maxLatency().map(RuleCommand::text)).orElse(null);
                String relative = gate.maxVsBaseline().map(r -> r + " x the baseline's").orElse(null);
                plan.append(absolute != null && relative != null ? absolute + " and " + relative
                        : absolute != null ? absolute : relative).append('\n');
            }
        }, () -> plan.append("analysis: none; the steps only hold\n"));
        plan.append("nodes: ").append(rule.nodes().map(nodes -> nodes.selector() + (nodes.batch() == Integer.MAX_VALUE
                ? ", all at once" : ", " + nodes.batch() + " at a time")).orElse("every node the release is deployed"
                + " to, all at once")).append('\n');
        boolean holdsOnNoData = rule.analysis().map(a -> a.onNoData() == RolloutRule.NoData.HOLD).orElse(false);
        plan.append("duration: at least ").append(text(rule.shortest())).append(" (the holds); at most ")
                .append(rule.hasManualSteps() ? "unbounded: a person promotes the steps without a hold"
                        : holdsOnNoData ? "unbounded while a window has too few canary calls (onNoData: hold)"
                        : text(rule.shortest()) + ", or less when it is rolled back").append('\n');
        return plan.toString();
    }

    private static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 != 0 ? millis + "ms" : millis % 60_000 != 0 || millis == 0 ? millis / 1000 + "s"
                : millis / 60_000 + "m";
    }
}
