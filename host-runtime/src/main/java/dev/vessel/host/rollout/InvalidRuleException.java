package dev.vessel.host.rollout;

import java.util.List;

/** A rollout rule that cannot go online, with every problem found, each naming its line and what is allowed. */
public final class InvalidRuleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public InvalidRuleException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
