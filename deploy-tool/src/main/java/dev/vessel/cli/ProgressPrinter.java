package dev.vessel.cli;

import dev.vessel.registry.Convergence;
import java.io.PrintWriter;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * Shows a rollout while it waits, per node and state, on stderr. On a terminal one line is rewritten in place;
 * otherwise (logs, pipes) a line is printed whenever something changed.
 */
final class ProgressPrinter implements BiConsumer<String, Convergence> {
    private final PrintWriter err;
    private final boolean terminal;
    private String last = "";

    ProgressPrinter(PrintWriter err, boolean quiet) {
        this.err = quiet ? null : err;
        this.terminal = System.console() != null;
    }

    @Override
    public void accept(String phase, Convergence convergence) {
        if (err == null) {
            return;
        }
        String nodes = convergence.nodes().stream()
                .map(n -> n.node() + " " + n.version() + " " + n.state() + (n.registered() ? "+registered" : ""))
                .collect(Collectors.joining(" | "));
        String line = phase + ": " + (nodes.isEmpty() ? "no node selected" : nodes)
                + (convergence.unwanted().isEmpty() ? "" : " | leaving: " + String.join(", ", convergence.unwanted()));
        if (line.equals(last)) {
            return;
        }
        last = line;
        if (terminal) {
            err.print("\r\u001b[2K" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Ends the in-place line before other output. */
    void finish() {
        if (err != null && terminal && !last.isEmpty()) {
            err.println();
            err.flush();
        }
    }
}
