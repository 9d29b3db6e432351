package dev.vessel.registry;

import java.util.Base64;
import java.util.BitSet;

/**
 * What one node holds of one artifact, published at {@code {root}/artifacts/{sha256}/{node}} and updated as
 * chunks arrive, so a node serves the chunks it has while it is still downloading the rest.
 *
 * @param zone     the holder's zone (fetchers prefer their own)
 * @param origin   whether this node took the upload: the source of last resort
 * @param chunks   how many chunks the artifact has
 * @param have     which chunks this node holds, a bit set in base64
 * @param complete whether it holds the whole, verified artifact
 */
public record HolderState(String zone, boolean origin, int chunks, String have, boolean complete) {
    public static HolderState of(String zone, boolean origin, int chunks, BitSet have) {
        return new HolderState(zone, origin, chunks, Base64.getEncoder().encodeToString(have.toByteArray()),
                have.cardinality() == chunks);
    }

    public BitSet haveSet() {
        return BitSet.valueOf(Base64.getDecoder().decode(have == null ? "" : have));
    }

    public boolean has(int chunk) {
        return complete || haveSet().get(chunk);
    }
}
