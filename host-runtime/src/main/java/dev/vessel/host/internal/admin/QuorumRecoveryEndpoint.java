package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.quorum.QuorumMembership;
import dev.vessel.host.internal.quorum.QuorumRecovery;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminAnswers;
import java.io.IOException;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /v1/admin/quorum/recover}: re-founds the quorum from this node's member after it lost its majority
 * for good ({@code vessel quorum recover}). It needs no registry, which is the point: there is none until it ran.
 */
final class QuorumRecoveryEndpoint {
    private final String nodeId;
    private final QuorumMembership quorum;

    /** @param quorum the member this node runs, or null when it runs none */
    QuorumRecoveryEndpoint(String nodeId, QuorumMembership quorum) {
        this.nodeId = nodeId;
        this.quorum = quorum;
    }

    void recover(Response response, Callback callback) {
        if (quorum == null) {
            throw new ApiError(ErrorCode.CONFLICT, nodeId + " runs no ZooKeeper quorum member (it was not started with"
                    + " --quorum): recover from a node that runs one");
        }
        QuorumRecovery.Refounded refounded;
        try {
            refounded = quorum.recover();
        } catch (IllegalStateException serving) {
            throw new ApiError(ErrorCode.CONFLICT, serving.getMessage());
        } catch (IOException e) {
            throw new ApiError(ErrorCode.INTERNAL, "could not re-found the quorum from " + nodeId + ": "
                    + e.getMessage());
        }
        JsonResponses.json(response, callback, 200, new AdminAnswers.QuorumRecovered(refounded.member(),
                refounded.observers(), Long.toHexString(refounded.fromVersion()),
                Long.toHexString(refounded.toVersion()), quorum.self().clientAddress()));
    }
}
