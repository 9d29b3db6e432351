package dev.vessel.registry;

/**
 * Free text that goes into the registry (who made a change, node selectors, file names) or onto a terminal:
 * bounded, and without control characters, so a value can neither pass a znode's size budget nor rewrite the
 * screen of whoever prints it.
 */
public final class Text {
    /** Longest {@code by}: a user name or an e-mail address. */
    public static final int MAX_AUTHOR = 128;
    /** Longest node selector. */
    public static final int MAX_SELECTOR = 512;
    /** Longest file name of an uploaded jar. */
    public static final int MAX_FILE_NAME = 255;
    /** Longest description of a change in a deployment's history. */
    public static final int MAX_ACTION = 512;

    private Text() {}

    /**
     * {@code value} if it has 1 to {@code max} characters and no control characters.
     *
     * @throws IllegalArgumentException naming {@code what} and the rule it broke
     */
    public static String requirePrintable(String value, String what, int max) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " cannot be empty");
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(what + " is " + value.length() + " characters; at most " + max
                    + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            if (isControl(value.charAt(i))) {
                throw new IllegalArgumentException(what + " contains a control character (U+"
                        + String.format("%04X", (int) value.charAt(i)) + ") at position " + i);
            }
        }
        return value;
    }

    /** {@code value} with control characters shown as {@code \\uXXXX}: safe to print on any terminal. */
    public static String clean(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isControl(c) && c != '\n' && c != '\t') {
                if (out == null) {
                    out = new StringBuilder(value.length() + 8).append(value, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value : out.toString();
    }

    /** {@code value} cleaned and cut to at most {@code max} characters; empty for null. */
    public static String bounded(String value, int max) {
        String cleaned = value == null ? "" : clean(value);
        return cleaned.length() > max ? cleaned.substring(0, max) : cleaned;
    }

    /** {@code value} for an error message: cleaned, quoted, and cut at 64 characters. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String cut = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return "'" + clean(cut).replace("\n", "\\n").replace("\t", "\\t") + "'";
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029';
    }
}
