package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

/**
 * One bundle of a release, identified by content.
 *
 * @param symbolicName {@code Bundle-SymbolicName}
 * @param version      {@code Bundle-Version}
 * @param sha256       digest of the jar, its identity in every node's artifact store
 * @param size         size of the jar in bytes
 * @param fileName     the name it was uploaded under, for messages
 * @param chunks       how it is cut for peer-to-peer distribution, with a digest per chunk
 */
public record BundleRef(String symbolicName, String version, String sha256, long size, String fileName,
        ChunkList chunks) {
    public BundleRef {
        requireNonNull(symbolicName, "symbolicName cannot be null");
        requireNonNull(version, "version cannot be null");
        RegistryLayout.requireSha256(sha256);
        requireNonNull(fileName, "fileName cannot be null");
    }
}
