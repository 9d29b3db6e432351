package dev.vessel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.router.CallOptions;
import dev.vessel.router.CallResult;
import dev.vessel.router.VersionRanges;
import dev.vessel.router.VesselClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.osgi.framework.VersionRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "call", mixinStandardHelpOptions = true,
        description = {"Calls a method of a service endpoint on the newest ACTIVE release inside --range.",
                "Prints the JSON result on stdout and which version answered on stderr."})
final class CallCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", paramLabel = "ENDPOINT")
    String endpoint;

    @Parameters(index = "2", paramLabel = "METHOD")
    String method;

    @Parameters(index = "3..*", paramLabel = "JSON_ARG",
            description = "Arguments: each is parsed as JSON (42, true, [\"a\"], {\"k\":1}, \"text\"); anything that"
                    + " is not JSON is passed as a string, so `greet Ada` works.")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--range", required = true, paramLabel = "RANGE",
            description = "OSGi version range the caller was built for, e.g. '[1.0,2.0)'.")
    String range;

    @Option(names = "--json", description = "Print {result, version, instance, attempts} as one JSON object.")
    boolean json;

    @Option(names = "--key", paramLabel = "KEY",
            description = "Routing key: calls with the same key go to the same instance while it exists and is not"
                    + " overloaded (every client agrees on which).")
    String key;

    @Option(names = "--idempotent",
            description = "The call is safe to run twice: retry it on another instance after a timeout or a 5xx,"
                    + " not only when the node says it did not run it.")
    boolean idempotent;

    @Option(names = "--attempt-timeout", paramLabel = "MS", defaultValue = "1000",
            description = "How long one attempt may take before it counts as failed (and, with --idempotent, is"
                    + " retried elsewhere); raise it for methods that take longer (default ${DEFAULT-VALUE}).")
    long attemptTimeoutMillis;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Make the call N times, at --rate calls per second, routing on the registry's live"
                    + " instances all along (a canary's share, a rollout's steps and rollback show), and print how"
                    + " many calls each version answered and how many failed; exit 1 if any failed.")
    int repeat;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "50",
            description = "Calls per second with --repeat (default ${DEFAULT-VALUE}).")
    int rate;

    @Override
    public Integer call() throws JsonProcessingException {
        if (attemptTimeoutMillis < 1) {
            throw new CliException(ExitCode.BAD_INPUT, "--attempt-timeout must be at least 1 ms; got "
                    + attemptTimeoutMillis);
        }
        if (repeat < 1 || rate < 1 || rate > 10_000) {
            throw new CliException(ExitCode.BAD_INPUT, "--repeat must be at least 1 and --rate 1-10000; got "
                    + repeat + " and " + rate);
        }
        VersionRange versions = VersionRanges.parse(range);
        Object[] args = arguments.stream().map(CallCommand::argument).toArray();
        VesselClient.Builder builder = VesselClient.builder()
                .attemptTimeout(Duration.ofMillis(attemptTimeoutMillis));
        cluster.tls().ifPresent(builder::tls);
        // a node of the recorded cluster gives the routing records in one request; routing itself stays here
        Optional<List<InstanceRecord>> fromNode = repeat == 1 ? fromNode() : Optional.empty();
        if (fromNode.isPresent()) {
            builder.instances(name -> name.equals(service) ? fromNode.get() : List.of());
        } else {
            builder.connectString(cluster.connectString()).root(cluster.root);
            cluster.registryTls().ifPresent(builder::registryTls);
            String readerSecret = cluster.readerSecret();
            if (readerSecret != null) {
                builder.readerSecret(readerSecret);
            }
        }
        try (VesselClient client = builder.build()) {
            CallOptions options = idempotent ? CallOptions.idempotentCall() : CallOptions.DEFAULT;
            if (key != null) {
                options = options.withKey(key);
            }
            if (repeat > 1) {
                return repeated(client, options, versions, args);
            }
            CallResult result = client.call(options, service, versions, endpoint, method, args);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("result", result.body());
                answer.put("version", result.version());
                answer.put("instance", result.instanceId());
                answer.put("attempts", result.attempts());
                out.println(JSON.writeValueAsString(answer));
            } else {
                out.println(result.body().toString());
                out.flush(); // before stderr: on one pipe the result's line must be whole first
                spec.commandLine().getErr().println("answered by " + service + " " + result.version() + " ("
                        + result.instanceId() + ")");
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    /**
     * The service's instances as a node of the recorded cluster has them, in one request; not for a repeated call,
     * which routes on the live registry because the node's answer is one moment's.
     */
    private Optional<List<InstanceRecord>> fromNode() {
        try (ClusterReads reads = ClusterReads.of(cluster)) {
            return reads.instancesFromNode(service);
        }
    }

    /** {@code --repeat}: the calls at a steady rate, then per version how many answered, and the failures. */
    private int repeated(VesselClient client, CallOptions options, VersionRange versions, Object[] args) {
        Map<String, Integer> answered = new java.util.TreeMap<>();
        Map<String, Integer> failed = new java.util.TreeMap<>();
        long period = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int i = 0; i < repeat; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait); // the pace asked for, not a synchronization
            }
            next += period;
            try {
                answered.merge(client.call(options, service, versions, endpoint, method, args).version(), 1,
                        Integer::sum);
            } catch (RuntimeException e) {
                String why = e instanceof dev.vessel.router.RemoteCallException remote
                        ? remote.errorCode() + " from " + remote.version() : e.getClass().getSimpleName();
                failed.merge(why, 1, Integer::sum);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(JSON.writeValueAsString(Map.of("calls", repeat, "answered", answered, "failed", failed)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.println(repeat + " calls of " + service + " " + endpoint + "." + method + " in " + range);
            answered.forEach((version, count) -> out.println("  " + version + "  " + count + " answered"));
            failed.forEach((code, count) -> out.println("  " + count + " failed: " + code));
        }
        out.flush();
        return failed.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    }

    private static JsonNode argument(String text) {
        try {
            JsonNode parsed = JSON.readTree(text);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(text) : parsed;
        } catch (JsonProcessingException notJson) {
            return TextNode.valueOf(text);
        }
    }
}
