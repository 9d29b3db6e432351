package dev.vessel.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Everything the CLI prints goes through this: control characters other than newline, carriage return and tab
 * are shown as {@code \\uXXXX}. Names, messages and errors come from the registry and from nodes, which anyone
 * able to write there can fill with terminal escapes; printed raw, those could rewrite the screen.
 */
final class TerminalSafeWriter extends FilterWriter {
    TerminalSafeWriter(Writer out) {
        super(out);
    }

    @Override
    public void write(int c) throws IOException {
        if (isUnsafe((char) c)) {
            out.write(String.format("\\u%04x", c));
        } else {
            out.write(c);
        }
    }

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (isUnsafe(buffer[i])) {
                out.write(buffer, start, i - start);
                write(buffer[i]);
                start = i + 1;
            }
        }
        out.write(buffer, start, end - start);
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        write(text.toCharArray(), offset, length);
    }

    private static boolean isUnsafe(char c) {
        return (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || (c >= 0x7f && c < 0xa0);
    }
}
