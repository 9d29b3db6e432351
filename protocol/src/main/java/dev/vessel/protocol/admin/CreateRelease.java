package dev.vessel.protocol.admin;

import java.util.List;

/**
 * {@code POST /v1/admin/releases}: validate the uploaded {@code artifacts} as one release and, unless
 * {@code dryRun}, record it.
 *
 * @param service the service name, or null for the one the bundles name
 * @param force   accept a release that bnd's baseline refuses
 * @param by      who asks, for the record
 */
public record CreateRelease(List<ArtifactRef> artifacts, String service, boolean force, boolean dryRun, String by) {}
