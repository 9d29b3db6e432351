package dev.vessel.host.internal.artifact;

import dev.vessel.host.FetchReport;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the artifacts this node lacked reached it: logged, and the last {@value #KEPT} kept for reading. */
public final class FetchLog implements Consumer<FetchReport> {
    static final int KEPT = 100;
    private static final Logger LOG = LoggerFactory.getLogger(FetchLog.class);

    private final String nodeId;
    private final Deque<FetchReport> reports = new ConcurrentLinkedDeque<>();

    public FetchLog(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public void accept(FetchReport report) {
        reports.addLast(report);
        while (reports.size() > KEPT) {
            reports.pollFirst();
        }
        LOG.info("node {} fetched {} ({} chunks): {} already here, from {}, {} from peers still downloading,"
                + " rejected {}, {} ms", nodeId, report.sha256(), report.chunks(), report.alreadyHad(),
                report.fromNode(), report.fromIncompletePeer(), report.rejectedFrom(), report.millis());
    }

    /** The most recent reports, oldest first. */
    public List<FetchReport> recent() {
        return List.copyOf(reports);
    }
}
