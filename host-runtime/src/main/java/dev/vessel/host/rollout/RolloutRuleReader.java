package dev.vessel.host.rollout;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vessel.host.rollout.RolloutRule.Analysis;
import dev.vessel.host.rollout.RolloutRule.Gate;
import dev.vessel.host.rollout.RolloutRule.Metric;
import dev.vessel.host.rollout.RolloutRule.NoData;
import dev.vessel.host.rollout.RolloutRule.Nodes;
import dev.vessel.host.rollout.RolloutRule.Step;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a rollout rule from YAML and checks all of it: every problem is reported at once, each with the line it is
 * on and what is allowed there, and a rule with any problem is not a rule.
 */
public final class RolloutRuleReader {
    /** Largest rule file read: a rule is a screenful. */
    public static final int MAX_BYTES = 64 * 1024;
    /** Longest window a gate may look at: what every node keeps of its calls. */
    public static final Duration MAX_WINDOW = Duration.ofSeconds(300);
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder().build());
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Set<String> TOP = Set.of("steps", "analysis", "nodes");
    private static final Set<String> STEP = Set.of("weight", "hold");
    private static final Set<String> ANALYSIS = Set.of("interval", "window", "minCalls", "onNoData", "failureLimit",
            "gates", "prometheus");
    private static final Set<String> QUERY_GATE = Set.of("query", "max");
    private static final Set<String> GATE = Set.of("metric", "max", "maxVsBaseline", "slack");
    private static final Set<String> NODES = Set.of("selector", "batch");

    private final String source;
    private final Map<String, Integer> lines;
    private final List<String> problems = new ArrayList<>();

    private RolloutRuleReader(String source, Map<String, Integer> lines) {
        this.source = source;
        this.lines = lines;
    }

    /**
     * The rule {@code yaml} states.
     *
     * @param source what to call the text in messages (a file name)
     * @throws InvalidRuleException naming every problem, with its line
     */
    public static RolloutRule read(String yaml, String source) {
        if (yaml.length() > MAX_BYTES) {
            throw new InvalidRuleException(List.of(source + ": a rule is at most " + MAX_BYTES + " bytes; this is "
                    + yaml.length()));
        }
        JsonNode root;
        Map<String, Integer> lines;
        try {
            root = YAML.readTree(yaml);
            lines = lines(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " line " + e.getLocation().getLineNr();
            throw new InvalidRuleException(List.of(source + where + ": not YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidRuleException(List.of(source + ": unreadable: " + e.getMessage()));
        }
        RolloutRuleReader reader = new RolloutRuleReader(source, lines);
        RolloutRule rule = reader.rule(root);
        if (!reader.problems.isEmpty()) {
            throw new InvalidRuleException(reader.problems);
        }
        return rule;
    }

    /** The line of every key and value, by JSON pointer ({@code /steps/1/weight}). */
    private static Map<String, Integer> lines(String yaml) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(yaml)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                String pointer = parser.getParsingContext().pathAsPointer().toString();
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    // the container's own line is where its first entry is, for the pointer of the container
                    pointer = parser.getParsingContext().getParent() == null ? ""
                            : parser.getParsingContext().getParent().pathAsPointer().toString();
                }
                lines.putIfAbsent(pointer, parser.currentTokenLocation().getLineNr());
            }
        }
        return lines;
    }

    private RolloutRule rule(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            problem("", "the rule is empty; it needs steps (see `vessel rule validate --help`)");
            return null;
        }
        if (!root.isObject()) {
            problem("", "a rule is a mapping with steps, and optionally analysis and nodes");
            return null;
        }
        keys(root, "", TOP, "the rule");
        List<Step> steps = steps(root.get("steps"));
        Optional<Analysis> analysis = root.has("analysis") ? Optional.ofNullable(analysis(root.get("analysis")))
                : Optional.empty();
        Optional<Nodes> nodes = root.has("nodes") ? Optional.ofNullable(nodes(root.get("nodes"))) : Optional.empty();
        analysis.ifPresent(a -> checkHolds(steps, a));
        return problems.isEmpty() ? new RolloutRule(steps, analysis, nodes) : null;
    }

    private List<Step> steps(JsonNode node) {
        List<Step> steps = new ArrayList<>();
        if (node == null) {
            problem("", "steps are missing: a rule lists the weights a release goes through, ending at 100");
            return steps;
        }
        if (!node.isArray() || node.isEmpty()) {
            problem("/steps", "steps is a list of steps (- weight: 10, hold: 20s), ending with weight 100");
            return steps;
        }
        int previous = 0;
        for (int i = 0; i < node.size(); i++) {
            String at = "/steps/" + i;
            JsonNode step = node.get(i);
            if (!step.isObject()) {
                problem(at, "a step is a mapping with weight and, optionally, hold");
                continue;
            }
            keys(step, at, STEP, "a step");
            JsonNode weight = step.get("weight");
            if (weight == null || !weight.isInt() || weight.asInt() < 1 || weight.asInt() > 100) {
                problem(weight == null ? at : at + "/weight", "a step's weight is a whole number of percent, 1-100"
                        + (weight == null ? "; it is missing" : "; got " + weight));
                continue;
            }
            if (weight.asInt() <= previous) {
                problem(at + "/weight", "weight " + weight.asInt() + " does not rise above the step before ("
                        + previous + "); weights must rise, and end at 100");
            }
            previous = weight.asInt();
            Optional<Duration> hold = step.has("hold") ? Optional.ofNullable(duration(step.get("hold"),
                    at + "/hold", "hold")) : Optional.empty();
            steps.add(new Step(weight.asInt(), hold));
        }
        if (previous != 100 && problems.isEmpty()) {
            problem("/steps/" + (node.size() - 1) + "/weight", "the last step's weight is " + previous
                    + "; a rollout ends with the release taking every call: weight 100");
        }
        return steps;
    }

    private Analysis analysis(JsonNode node) {
        String at = "/analysis";
        if (!node.isObject()) {
            problem(at, "analysis is a mapping: interval, window, minCalls, onNoData, failureLimit, gates");
            return null;
        }
        keys(node, at, ANALYSIS, "analysis");
        Duration interval = required(node, at, "interval", "how often the gates are evaluated, like 5s");
        Duration window = required(node, at, "window", "the calls each evaluation looks at, like 20s");
        if (interval != null && interval.compareTo(Duration.ofSeconds(1)) < 0) {
            problem(at + "/interval", "interval " + text(interval) + " is shorter than 1s, the shortest allowed");
        }
        if (window != null && window.compareTo(MAX_WINDOW) > 0) {
            problem(at + "/window", "window " + text(window) + " is longer than " + text(MAX_WINDOW) + ", the longest"
                    + " nodes keep their calls for");
        }
        if (interval != null && window != null && window.compareTo(interval) < 0) {
            problem(at + "/window", "window " + text(window) + " is shorter than interval " + text(interval)
                    + ": some calls would never be looked at");
        }
        int minCalls = count(node, at, "minCalls", 20, 1);
        int failureLimit = count(node, at, "failureLimit", 1, 1);
        NoData onNoData = NoData.HOLD;
        if (node.has("onNoData")) {
            String value = node.get("onNoData").asText();
            try {
                onNoData = NoData.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problem(at + "/onNoData", "onNoData is hold, fail or pass; got " + quote(value));
            }
        }
        Optional<java.net.URI> prometheus = Optional.empty();
        if (node.has("prometheus")) {
            String url = node.get("prometheus").asText("");
            try {
                java.net.URI uri = new java.net.URI(url);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new java.net.URISyntaxException(url, "not an http or https address");
                }
                prometheus = Optional.of(uri);
            } catch (java.net.URISyntaxException e) {
                problem(at + "/prometheus", "prometheus is the address of a Prometheus server's HTTP API, like"
                        + " http://prometheus:9090; got " + quote(url));
            }
        }
        List<Gate> gates = new ArrayList<>();
        List<RolloutRule.QueryGate> queries = new ArrayList<>();
        JsonNode list = node.get("gates");
        if (list == null || !list.isArray() || list.isEmpty()) {
            problem(list == null ? at : at + "/gates", "analysis needs gates: a list of - metric: ..., max: ... or"
                    + " maxVsBaseline: ...");
        } else {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).has("query")) {
                    RolloutRule.QueryGate query = queryGate(list.get(i), at + "/gates/" + i, node.has("prometheus"));
                    if (query != null) {
                        queries.add(query);
                    }
                    continue;
                }
                Gate gate = gate(list.get(i), at + "/gates/" + i);
                if (gate != null) {
                    gates.add(gate);
                }
            }
        }
        return interval == null || window == null ? null
                : new Analysis(interval, window, minCalls, onNoData, failureLimit, gates, prometheus, queries);
    }

    /** {@code - query: PROMQL, max: N}: a gate the user's Prometheus measures. */
    private RolloutRule.QueryGate queryGate(JsonNode node, String at, boolean hasPrometheus) {
        keys(node, at, QUERY_GATE, "a query gate");
        String query = node.get("query").asText("");
        if (query.isBlank()) {
            problem(at + "/query", "query is a PromQL expression, like sum(rate(...[1m]))");
            return null;
        }
        if (!hasPrometheus) {
            problem(at + "/query", "a query gate asks a Prometheus server: give its address as analysis.prometheus");
        }
        JsonNode max = node.get("max");
        if (max == null || !max.isNumber()) {
            problem(max == null ? at : at + "/max", "a query gate needs max: the largest value its query may have"
                    + (max == null ? "" : "; got " + max));
            return null;
        }
        return new RolloutRule.QueryGate(query, max.asDouble());
    }

    private Gate gate(JsonNode node, String at) {
        if (!node.isObject()) {
            problem(at, "a gate is a mapping: metric, and max and/or maxVsBaseline");
            return null;
        }
        keys(node, at, GATE, "a gate");
        String name = node.path("metric").asText("");
        Optional<Metric> metric = Metric.of(name);
        if (metric.isEmpty()) {
            problem(node.has("metric") ? at + "/metric" : at, (name.isEmpty() ? "a gate needs its metric"
                    : "unknown metric " + quote(name)) + "; metrics: " + Arrays.stream(Metric.values())
                    .map(Metric::yaml).collect(Collectors.joining(", ")));
            return null;
        }
        Optional<Double> maxRatio = Optional.empty();
        Optional<Duration> maxLatency = Optional.empty();
        if (node.has("max")) {
            if (metric.get().latency()) {
                maxLatency = Optional.ofNullable(duration(node.get("max"), at + "/max", "max"));
            } else {
                JsonNode max = node.get("max");
                if (!max.isNumber() || max.asDouble() < 0 || max.asDouble() > 1) {
                    problem(at + "/max", "max of error-rate is a ratio of calls, 0-1 (0.05 is 5 %); got " + max);
                } else {
                    maxRatio = Optional.of(max.asDouble());
                }
            }
        }
        Optional<Double> maxVsBaseline = Optional.empty();
        if (node.has("maxVsBaseline")) {
            JsonNode ratio = node.get("maxVsBaseline");
            if (!ratio.isNumber() || ratio.asDouble() < 1) {
                problem(at + "/maxVsBaseline", "maxVsBaseline is how many times the baseline's value the canary may"
                        + " reach, at least 1 (1.5 allows 50 % more); got " + ratio);
            } else {
                maxVsBaseline = Optional.of(ratio.asDouble());
            }
        }
        if (!node.has("max") && !node.has("maxVsBaseline")) {
            problem(at, "gate " + name + " needs a bound: max (" + (metric.get().latency() ? "a duration, like 300ms"
                    : "a ratio, like 0.05") + ") and/or maxVsBaseline (like 1.5)");
        }
        Gate defaults = new Gate(metric.get(), maxRatio, maxLatency, maxVsBaseline);
        if (!node.has("slack")) {
            return defaults;
        }
        if (!node.has("maxVsBaseline")) {
            problem(at + "/slack", "slack is how far above the baseline's value the canary may be whatever the ratio;"
                    + " it goes with maxVsBaseline");
            return defaults;
        }
        double slack = 0;
        if (metric.get().latency()) {
            Duration given = duration(node.get("slack"), at + "/slack", "slack");
            slack = given == null ? 0 : given.toNanos() / 1e6;
        } else {
            JsonNode given = node.get("slack");
            if (!given.isNumber() || given.asDouble() < 0 || given.asDouble() > 1) {
                problem(at + "/slack", "slack of error-rate is a ratio of calls, 0-1 (0.01 is 1 %); got " + given);
            } else {
                slack = given.asDouble();
            }
        }
        return new Gate(metric.get(), maxRatio, maxLatency, maxVsBaseline, slack);
    }

    private Nodes nodes(JsonNode node) {
        String at = "/nodes";
        if (!node.isObject()) {
            problem(at, "nodes is a mapping: selector (node ids, comma-separated, or *) and batch");
            return null;
        }
        keys(node, at, NODES, "nodes");
        String selector = node.path("selector").asText("*");
        if (selector.isBlank()) {
            problem(at + "/selector", "selector names node ids, comma-separated, or * for every node");
        }
        int batch = count(node, at, "batch", Integer.MAX_VALUE, 1);
        return new Nodes(selector, batch);
    }

    private void checkHolds(List<Step> steps, Analysis analysis) {
        for (int i = 0; i < steps.size(); i++) {
            Optional<Duration> hold = steps.get(i).hold();
            if (hold.isPresent() && hold.get().compareTo(analysis.interval()) < 0) {
                problem("/steps/" + i + "/hold", "hold " + text(hold.get()) + " is shorter than analysis.interval "
                        + text(analysis.interval()) + ": the step would end before its first evaluation");
            }
        }
    }

    private Duration required(JsonNode node, String at, String key, String what) {
        if (!node.has(key)) {
            problem(at, key + " is missing: " + what);
            return null;
        }
        return duration(node.get(key), at + "/" + key, key);
    }

    private Duration duration(JsonNode value, String at, String key) {
        Matcher m = DURATION.matcher(value.isTextual() ? value.asText().trim() : "");
        if (!m.matches()) {
            problem(at, key + " " + quote(value.isTextual() ? value.asText() : value.toString()) + " is not a"
                    + " duration; write a number and a unit: 500ms, 20s, 5m, 1h");
            return null;
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (duration.isZero()) {
            problem(at, key + " must be longer than 0");
        }
        return duration;
    }

    private int count(JsonNode node, String at, String key, int absent, int least) {
        if (!node.has(key)) {
            return absent;
        }
        JsonNode value = node.get(key);
        if (!value.isInt() || value.asInt() < least) {
            problem(at + "/" + key, key + " is a whole number, at least " + least + "; got " + value);
            return absent;
        }
        return value.asInt();
    }

    private void keys(JsonNode node, String at, Set<String> allowed, String what) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                problem(at + "/" + name, "unknown key " + quote(name) + " in " + what + "; allowed: "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    private void problem(String pointer, String message) {
        problems.add(source + " line " + line(pointer) + ": " + message);
    }

    /** The line of {@code pointer}, else of the nearest enclosing entry that has one. */
    private int line(String pointer) {
        for (String at = pointer; ; at = at.substring(0, at.lastIndexOf('/'))) {
            Integer line = lines.get(at);
            if (line != null) {
                return line;
            }
            if (at.isEmpty()) {
                return 1;
            }
        }
    }

    /** A duration written as a rule file writes it: {@code 500ms}, {@code 20s}, {@code 5m}. */
    public static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 != 0 ? millis + "ms" : millis % 60_000 != 0 || millis == 0 ? millis / 1000 + "s"
                : millis / 60_000 + "m";
    }

    private static String quote(String text) {
        return "'" + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + "'";
    }
}
