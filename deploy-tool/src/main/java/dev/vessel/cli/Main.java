package dev.vessel.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code vessel} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code (see {@link ExitCode}). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    /** Runs one command line with its output going to {@code out} and {@code err}; returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return newCommandLine().setOut(out).setErr(err).execute(args);
    }

    static CommandLine newCommandLine() {
        return new CommandLine(new VesselCommand())
                .setExecutionExceptionHandler(new ErrorReporter())
                .setExitCodeExceptionMapper(ExitCode::of)
                .setParameterExceptionHandler((e, args) -> {
                    e.getCommandLine().getErr().println("vessel: " + e.getMessage());
                    e.getCommandLine().usage(e.getCommandLine().getErr());
                    return ExitCode.BAD_INPUT;
                });
    }
}
