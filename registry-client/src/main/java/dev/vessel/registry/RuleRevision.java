package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

/**
 * One revision of a service's rollout rule as the registry keeps it: the rule's text as it was given (nodes and
 * the CLI read and check it), who wrote it, when and why. Revisions are numbered from 1 and never change.
 *
 * @param time    when it was written, epoch milliseconds
 * @param message what the change was ({@code set}, {@code rollback to revision N})
 */
public record RuleRevision(String service, long revision, String yaml, String author, long time, String message) {
    /** Largest rule text kept: a rule is a screenful. */
    public static final int MAX_YAML_CHARS = 64 * 1024;

    public RuleRevision {
        RegistryLayout.requireName(service, "service");
        if (revision < 1) {
            throw new IllegalArgumentException("a rule revision is numbered from 1; got " + revision);
        }
        requireNonNull(yaml, "yaml cannot be null");
        if (yaml.length() > MAX_YAML_CHARS) {
            throw new IllegalArgumentException("a rule is at most " + MAX_YAML_CHARS + " characters; got "
                    + yaml.length());
        }
        author = author == null ? "" : Text.bounded(author, Text.MAX_AUTHOR);
        message = message == null ? "" : Text.bounded(message, Text.MAX_ACTION);
    }
}
