package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every help screen, as a new user meets them: no picocli warnings, and the exit codes listed whole. */
class HelpScreensTest {

    /** Every command path: "", "deploy", "config set", ... */
    private static List<String> commands(CommandLine command, String prefix, List<String> into) {
        into.add(prefix);
        command.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandName().equals(name)) { // once per command, not per alias
                commands(sub, (prefix + " " + name).trim(), into);
            }
        });
        return into;
    }

    /**
     * A command line builds only the verb it names (building all eighteen was about 80 ms of a verb that should
     * answer in a fraction of a second); help, the version and a mistyped verb get them all.
     */
    @Test
    void aCommandLineBuildsOnlyTheVerbItNames() {
        assertThat(Main.newCommandLine("status", "--json").getSubcommands()).containsOnlyKeys("status");
        assertThat(Main.newCommandLine("quorum", "status").getSubcommands()).containsOnlyKeys("quorum");
        List<String> every = VesselCommand.VERBS.stream()
                .map(verb -> verb.getAnnotation(CommandLine.Command.class).name()).toList();
        assertThat(every).hasSize(18).doesNotHaveDuplicates();
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"statsu"})) {
            assertThat(Main.newCommandLine(args).getSubcommands().keySet()).containsExactlyElementsOf(every);
        }
        CliRunner mistyped = CliRunner.run("statsu");
        assertThat(mistyped.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(mistyped.err()).contains("Unmatched argument at index 0: 'statsu'").contains("status");
    }

    @Test
    void everyHelpScreenFormatsCleanlyAndEndsWithTheExitCodes() {
        List<String> all = commands(Main.newCommandLine(), "", new ArrayList<>());
        assertThat(all).contains("", "promote", "config set", "quorum");
        PrintStream original = System.err;
        ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
        // picocli reports a description it cannot format on System.err, not on the command's own writer
        System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
        try {
            for (String command : all) {
                List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
                args.add("--help");
                CliRunner help = CliRunner.run(args.toArray(String[]::new));
                assertThat(help.exitCode()).as(command).isZero();
                assertThat(help.err()).as(command).isEmpty();
                assertThat(help.out()).as(command).contains("Exit codes:")
                        .containsPattern("(?m)^ +5 +conflict: someone else changed it first; nothing was written$")
                        .containsPattern("(?m)^ +6 +unauthorized$");
            }
        } finally {
            System.setErr(original);
        }
        assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(CliRunner.run("promote", "--help").out()).contains("Gives a canary 100 % of the calls");
    }
}
