package dev.vessel.bench.metrics;

import dev.vessel.host.ContainerId;
import dev.vessel.host.internal.metrics.NodeMetrics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What recording one call costs the node's call path: the label lookup (with the method label built as the call
 * handler builds it) and the histogram observation, on two threads as the node's call threads would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class CallMetricsBenchmark {
    private NodeMetrics metrics;
    private ContainerId container;
    private String endpoint;
    private String method;

    @Setup
    public void setUp() {
        metrics = NodeMetrics.start(List::of, () -> 0, () -> 0, () -> true);
        container = ContainerId.of("greeter", "1.0.0");
        endpoint = "greeter";
        method = "greet";
    }

    @Benchmark
    public void recordACall() {
        metrics.call(container, endpoint + "." + method, NodeMetrics.OK, 42_000);
    }
}
