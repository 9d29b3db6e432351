package dev.vessel.registry;

/**
 * Which nodes a selector names: {@code *} for all, else a comma-separated list of node ids and {@code key=value}
 * labels, any of which selects a node. Deployments and configuration targets use the same selectors.
 */
public final class NodeSelector {
    public static final String ALL = "*";

    private NodeSelector() {}

    public static boolean selects(String selector, NodeRecord node) {
        if (selector == null || ALL.equals(selector.trim())) {
            return true;
        }
        for (String term : selector.split(",")) {
            String t = term.trim();
            int eq = t.indexOf('=');
            if (eq < 0 ? t.equals(node.id()) : t.substring(eq + 1).equals(node.labels().get(t.substring(0, eq)))) {
                return true;
            }
        }
        return false;
    }
}
