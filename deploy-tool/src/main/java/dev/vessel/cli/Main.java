package dev.vessel.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of the {@code vessel} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code (see {@link ExitCode}). */
    public static int run(String... args) {
        return run(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true), args);
    }

    /**
     * Runs one command line with its output going to {@code out} and {@code err}, control characters made
     * visible (see {@link TerminalSafeWriter}); returns its exit code.
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        PrintWriter safeOut = new PrintWriter(new TerminalSafeWriter(out), true);
        PrintWriter safeErr = new PrintWriter(new TerminalSafeWriter(err), true);
        try {
            return newCommandLine().setOut(safeOut).setErr(safeErr).execute(args);
        } finally {
            safeOut.flush();
            safeErr.flush();
        }
    }

    static CommandLine newCommandLine() {
        CommandLine root = new CommandLine(new VesselCommand());
        withExitCodes(root);
        return root
                // plain help text: the output filter shows escape sequences, so picocli must not send any
                .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .setExecutionExceptionHandler(new ErrorReporter())
                .setExitCodeExceptionMapper(ExitCode::of)
                .setParameterExceptionHandler((e, args) -> {
                    e.getCommandLine().getErr().println("vessel: " + e.getMessage());
                    e.getCommandLine().usage(e.getCommandLine().getErr());
                    return ExitCode.BAD_INPUT;
                });
    }

    /** Every help screen ends with the exit codes, one per line, as picocli lays out its exit-code list. */
    private static void withExitCodes(CommandLine command) {
        command.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(ExitCode.DESCRIPTIONS);
        command.getSubcommands().values().forEach(Main::withExitCodes);
    }
}
