package dev.vessel.host.internal.admin;

import java.util.List;

/** The JSON bodies the admin API accepts. */
final class AdminRequests {
    private AdminRequests() {}

    record Artifact(String sha256, String fileName) {}

    /** {@code POST /v1/admin/artifacts/{sha256}/upload} */
    record StartUpload(long size, int chunkSize, List<String> digests) {}

    /** {@code POST /v1/admin/releases} */
    record CreateRelease(List<Artifact> artifacts, String service, boolean force, boolean dryRun, String by) {}

    /** {@code POST /v1/admin/deployments/{service}} */
    record ChangeDeployment(String action, String version, Integer weight, String nodes, Long expectedRevision,
            Long toRevision, String by) {}
}
