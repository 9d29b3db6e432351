package dev.vessel.host.internal.reconcile;

import dev.vessel.host.InvalidReleaseException;
import dev.vessel.host.Release;
import dev.vessel.registry.ReleaseManifest;
import java.io.IOException;
import java.util.Optional;

/** Where the reconciler finds the releases a deployment names, and their bundles. */
public interface ReleaseSource {
    /** The recorded release of {@code version} of {@code service}, or empty when there is none. */
    Optional<ReleaseManifest> manifest(String service, String version);

    /** The release's bundles, present on this node and verified, read as a release ready to start. */
    Release fetch(ReleaseManifest manifest) throws IOException, InvalidReleaseException, InterruptedException;
}
