package dev.vessel.protocol.admin;

import java.util.List;

/**
 * {@code GET /v1/admin/calls?service=S&windowMs=W}: what one node's containers of a service were asked in the last
 * {@code windowMs}, per version. A rollout's driver sums the answers of every node to judge a canary against its
 * baseline over the same window on the same nodes.
 *
 * @param node     the node that counted
 * @param windowMs the window, as long as the node could cover (it keeps {@code maxWindowMs})
 * @param versions one entry per version of the service the node runs
 */
public record CallCounts(String node, long windowMs, List<VersionCalls> versions) {
    public CallCounts {
        versions = versions == null ? List.of() : List.copyOf(versions);
    }

    /**
     * @param calls    calls the version ran, and calls refused because it was full, over its CPU budget or past the
     *                 caller's deadline; not calls refused before they ran because the version was not active
     * @param failures of those, the ones the caller saw fail: every outcome but a result, and every such refusal
     * @param latency  calls that ran by {@link LatencyBuckets} bucket, from arrival at the node to the answer
     */
    public record VersionCalls(String service, String version, long calls, long failures, List<Long> latency) {
        public VersionCalls {
            latency = latency == null ? List.of() : List.copyOf(latency);
        }
    }
}
