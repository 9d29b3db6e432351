package dev.vessel.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints a failure as one line on stderr (the stack trace only with VESSEL_DEBUG set) and maps its exit code. */
final class ErrorReporter implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        // the whole verb, "vessel rule validate", not only its last word
        command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        if (System.getenv("VESSEL_DEBUG") != null) {
            e.printStackTrace(command.getErr());
        }
        return ExitCode.of(e);
    }
}
