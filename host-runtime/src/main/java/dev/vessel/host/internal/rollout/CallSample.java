package dev.vessel.host.internal.rollout;

import dev.vessel.protocol.admin.CallCounts;
import dev.vessel.protocol.admin.LatencyBuckets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One version's calls over a window, summed over the nodes measured. */
record CallSample(long calls, long failures, List<Long> latency) {
    static final CallSample NONE = new CallSample(0, 0, Collections.nCopies(LatencyBuckets.COUNT, 0L));

    CallSample plus(CallCounts.VersionCalls more) {
        List<Long> sum = new ArrayList<>(latency);
        for (int i = 0; i < Math.min(sum.size(), more.latency().size()); i++) {
            sum.set(i, sum.get(i) + more.latency().get(i));
        }
        return new CallSample(calls + more.calls(), failures + more.failures(), sum);
    }

    /** Failed calls over calls; null without calls. */
    Double errorRate() {
        return calls == 0 ? null : (double) failures / calls;
    }

    /** The {@code q} quantile of the calls that ran, in milliseconds; null when none ran. */
    Double latencyMillis(double q) {
        double value = LatencyBuckets.quantileMillis(latency, q);
        return Double.isNaN(value) ? null : value;
    }
}
