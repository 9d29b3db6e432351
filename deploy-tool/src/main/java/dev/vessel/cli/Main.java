package dev.vessel.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
            return newCommandLine(args).setOut(safeOut).setErr(safeErr).execute(args);
        } finally {
            safeOut.flush();
            safeErr.flush();
        }
    }

    /** Every verb, for help screens. */
    static CommandLine newCommandLine() {
        return newCommandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: the root with the one verb they name, or with every verb when they name
     * none (help, the version, a mistyped verb picocli suggests the right one for).
     */
    static CommandLine newCommandLine(String... args) {
        CommandLine root = new CommandLine(new VesselCommand());
        String named = args.length > 0 ? args[0] : "";
        List<Class<?>> verbs = VesselCommand.VERBS.stream()
                .filter(verb -> verb.getAnnotation(CommandLine.Command.class).name().equals(named)).toList();
        for (Class<?> verb : verbs.isEmpty() ? VesselCommand.VERBS : verbs) {
            root.addSubcommand(verb);
        }
        withExitCodes(root);
        return root
                // plain help text: the output filter shows escape sequences, so picocli must not send any
                .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .setExecutionExceptionHandler(new ErrorReporter())
                .setExitCodeExceptionMapper(ExitCode::of)
                .setParameterExceptionHandler((e, given) -> {
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
