package dev.vessel.host;

import java.util.Map;

/**
 * How one artifact reached this node.
 *
 * @param sha256             the artifact
 * @param chunks             how many chunks it has
 * @param alreadyHad         chunks already on disk when the fetch began (a resumed download)
 * @param fromNode           chunks received, per source node
 * @param fromIncompletePeer chunks received from peers that did not yet hold the whole artifact themselves
 * @param rejectedFrom       chunks that failed verification, per source node (each such node is then avoided)
 * @param millis             how long the fetch took
 */
public record FetchReport(String sha256, int chunks, int alreadyHad, Map<String, Integer> fromNode,
        int fromIncompletePeer, Map<String, Integer> rejectedFrom, long millis) {
    public FetchReport {
        fromNode = Map.copyOf(fromNode);
        rejectedFrom = Map.copyOf(rejectedFrom);
    }
}
