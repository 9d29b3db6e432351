package dev.vessel.host.internal.rollout;

import dev.vessel.host.rollout.RolloutRule;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which nodes a rule's release starts on, batch by batch: the nodes its selector selects, by id, {@code batch} at
 * a time; each batch once the one before is ACTIVE. Without {@code nodes} in the rule, or with a batch that takes
 * every selected node, the release starts everywhere at once.
 */
final class NodeBatches {
    private NodeBatches() {}

    /** The node selector a rollout starts with. */
    static String first(RolloutRule rule, String requested, List<NodeRecord> nodes) {
        if (rule.nodes().isEmpty()) {
            return requested;
        }
        List<String> selected = selected(rule.nodes().get().selector(), nodes);
        int batch = rule.nodes().get().batch();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("the rule's node selector " + rule.nodes().get().selector()
                    + " selects no live node; live: " + nodes.stream().map(NodeRecord::id).sorted().toList());
        }
        return batch >= selected.size() ? rule.nodes().get().selector()
                : String.join(",", selected.subList(0, batch));
    }

    /** The nodes with the next batch added, or empty when every selected node already has the release. */
    static Optional<List<String>> next(RolloutRule rule, String current, List<NodeRecord> nodes) {
        if (rule.nodes().isEmpty() || current.equals(rule.nodes().get().selector())) {
            return Optional.empty();
        }
        List<String> have = new ArrayList<>(Arrays.asList(current.split(",")));
        List<String> missing = selected(rule.nodes().get().selector(), nodes).stream()
                .filter(id -> !have.contains(id)).toList();
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        have.addAll(missing.subList(0, Math.min(rule.nodes().get().batch(), missing.size())));
        return Optional.of(have);
    }

    private static List<String> selected(String selector, List<NodeRecord> nodes) {
        return nodes.stream().filter(n -> NodeSelector.selects(selector, n)).map(NodeRecord::id)
                .sorted(Comparator.naturalOrder()).toList();
    }
}
