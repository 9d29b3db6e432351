package dev.vessel.host.internal.artifact;

import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.HolderState;
import dev.vessel.registry.RegistryException;
import java.io.IOException;
import java.util.BitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes what this node's store holds of each artifact, complete or in part, for peers to fetch from. */
public final class ArtifactPresence {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactPresence.class);

    private final ArtifactStore store;
    private final ArtifactHolders holders;
    private final String zone;

    public ArtifactPresence(ArtifactStore store, ArtifactHolders holders, String zone) {
        this.store = store;
        this.holders = holders;
        this.zone = zone;
    }

    /** Announces everything the store holds: after a restart, what is on disk is offered again at once. */
    public void announceAll() {
        store.list().forEach(this::announceComplete);
    }

    public void announceComplete(String sha256) {
        try {
            int chunks = store.chunks(sha256).count();
            BitSet all = new BitSet();
            all.set(0, chunks);
            publish(sha256, HolderState.of(zone, store.isOrigin(sha256), chunks, all));
        } catch (IOException e) {
            LOG.warn("cannot announce artifact {}: {}", sha256, e.getMessage());
        }
    }

    public void announcePartial(String sha256, ArtifactStore.Partial partial) {
        publish(sha256, HolderState.of(zone, false, partial.chunks().count(), partial.have()));
    }

    public void withdraw(String sha256) {
        holders.withdraw(sha256);
    }

    private void publish(String sha256, HolderState state) {
        try {
            holders.announce(sha256, state);
        } catch (RegistryException e) {
            LOG.warn("cannot announce artifact {}: {}", sha256, e.getMessage());
        }
    }
}
