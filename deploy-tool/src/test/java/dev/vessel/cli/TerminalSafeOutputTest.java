package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TerminalSafeOutputTest {
    @Test
    void escapeSequencesInWhatTheCliEchoesArePrintedVisiblyNotSentToTheTerminal() {
        CliRunner run = CliRunner.run("status", "--bogus\u001b[2J\u001b]0;owned\u0007");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.out() + run.err()).doesNotContain("\u001b").doesNotContain("\u0007");
        assertThat(run.err()).contains("\\u001b[2J");
    }

    @Test
    void newlinesTabsAndTextPassUnchanged() {
        StringWriter target = new StringWriter();
        try (PrintWriter out = new PrintWriter(new TerminalSafeWriter(target))) {
            out.print("NODE\tSTATE\nnode-1\tACTIVE é\r\n\u009b31m");
        }
        assertThat(target.toString()).isEqualTo("NODE\tSTATE\nnode-1\tACTIVE é\r\n\\u009b31m");
    }
}
