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
            if (result.rolledBack()) {
                out.println("ROLLED BACK: the release failed and the previous desired state was restored");
            }
            result.failures().forEach(f -> out.println("failed    " + f));
            if (result.ok()) {
                out.println(result.convergence() == null ? "done" : "done: every targeted node matches");
            }
        }
        out.flush();
        return result.ok() ? ExitCode.OK : ExitCode.FAILED;
    }

    static String describe(DeployedVersion v) {
        return v.version() + (v.weight() < 100 ? " (canary " + v.weight() + "%)" : "")
                + (v.nodes().equals(DeployedVersion.ALL_NODES) ? "" : " on " + v.nodes());
    }
}
