package dev.vessel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.deploy.Rollout;
import dev.vessel.registry.DeployedVersion;
import java.io.PrintWriter;
import java.util.stream.Collectors;

/** Prints a rollout's result for people or, with {@code --json}, for scripts. */
final class RolloutOutput {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RolloutOutput() {}

    static int print(PrintWriter out, Rollout.Result result, boolean json) throws JsonProcessingException {
        if (json) {
            out.println(JSON.writeValueAsString(result));
        } else {
            if (result.release() != null) {
                out.println("release   " + result.release().service() + " " + result.release().version() + " ("
                        + result.release().bundles().size() + " bundle(s), endpoints " + result.release().endpoints()
                        + ")");
                if (!result.release().baseline().isEmpty()) {
                    out.println(result.release().baseline().lines().map(l -> "          " + l)
                            .collect(Collectors.joining("\n")));
                }
            }
            if (result.deployment() != null) {
                out.println("revision  " + result.deployment().revision() + ": " + result.deployment().versions().stream()
                        .map(RolloutOutput::describe).collect(Collectors.joining(", ")));
            }
            if (result.plan() != null) {
                printPlan(out, result);
            }
            if (result.rollout() != null) {
                printRollout(out, result);
            } else if (result.plan() == null) {
                if (result.rolledBack()) {
                    out.println("ROLLED BACK: the release failed and the previous desired state was restored");
                }
                result.failures().forEach(f -> out.println("failed    " + f));
                if (result.ok()) {
                    out.println(result.convergence() == null ? "done" : "done: every targeted node matches");
                }
            }
        }
        out.flush();
        return result.ok() ? ExitCode.OK : ExitCode.FAILED;
    }

    private static void printPlan(PrintWriter out, Rollout.Result result) {
        var plan = result.plan();
        out.println("rule      " + plan.service() + " " + plan.version() + " next to " + plan.baseline()
                + (result.rollout() == null ? " (dry run: nothing was written)" : ""));
        plan.rule().forEach(line -> out.println("          " + line));
        for (int i = 0; i < plan.batches().size(); i++) {
            out.println("          batch " + (i + 1) + ": " + plan.batches().get(i));
        }
    }

    private static void printRollout(PrintWriter out, Rollout.Result result) {
        var rollout = result.rollout();
        switch (rollout.phase()) {
            case PROMOTED -> out.println("PROMOTED: " + rollout.service() + " " + rollout.version() + " "
                    + rollout.outcome());
            case ROLLED_BACK, ABORTED -> out.println((rollout.phase() == dev.vessel.registry.RolloutRecord.Phase.ABORTED
                    ? "ABORTED: " : "ROLLED BACK: ") + rollout.service() + " " + rollout.version() + " "
                    + rollout.outcome());
            default -> {
                result.failures().forEach(f -> out.println("waiting   " + f));
                if (result.failures().isEmpty()) {
                    out.println("started: the rollout goes on in the cluster (vessel rollout status "
                            + rollout.service() + " --watch)");
                }
            }
        }
    }

    static String describe(DeployedVersion v) {
        return v.version() + (v.weight() < 100 ? " (canary " + v.weight() + "%)" : "")
                + (v.nodes().equals(DeployedVersion.ALL_NODES) ? "" : " on " + v.nodes());
    }
}
