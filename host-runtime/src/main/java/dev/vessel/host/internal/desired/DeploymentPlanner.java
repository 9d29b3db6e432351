package dev.vessel.host.internal.desired;

import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentRevision;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Version;

/** The desired-state changes behind each admin verb, as pure functions of the current deployment. */
public final class DeploymentPlanner {
    private DeploymentPlanner() {}

    /** Adds {@code version} (or changes its weight and nodes), keeping every other version. */
    public static List<DeployedVersion> deploy(Deployment current, DeployedVersion version) {
        List<DeployedVersion> next = new ArrayList<>();
        for (DeployedVersion v : current.versions()) {
            if (!v.version().equals(version.version())) {
                next.add(v);
            }
        }
        next.add(version);
        next.sort((a, b) -> Version.parseVersion(a.version()).compareTo(Version.parseVersion(b.version())));
        return next;
    }

    /** Gives a canary all the traffic its callers' ranges admit. */
    public static List<DeployedVersion> promote(Deployment current, String version) {
        DeployedVersion found = require(current, version);
        return deploy(current, found.withWeight(100));
    }

    public static List<DeployedVersion> retire(Deployment current, String version) {
        require(current, version);
        return current.versions().stream().filter(v -> !v.version().equals(version)).toList();
    }

    /** Removes every version of the same major as {@code version} that is lower than it (deploy --replace). */
    public static List<DeployedVersion> retireOlderOfSameMajor(Deployment current, String version) {
        require(current, version);
        Version kept = Version.parseVersion(version);
        return current.versions().stream().filter(v -> {
            Version other = Version.parseVersion(v.version());
            return other.getMajor() != kept.getMajor() || other.compareTo(kept) >= 0;
        }).toList();
    }

    /** The versions of an earlier revision; without a revision, the one before the current. */
    public static List<DeployedVersion> rollback(Deployment current, Long toRevision) {
        long target = toRevision != null ? toRevision : current.revision() - 1;
        if (target < 1) {
            throw new IllegalArgumentException(current.service() + " has no earlier revision to roll back to");
        }
        if (target == current.revision()) {
            throw new IllegalArgumentException(current.service() + " is already at revision " + target);
        }
        DeploymentRevision revision = current.revision(target).orElseThrow(() -> new IllegalArgumentException(
                current.service() + " has no revision " + target + " in its history (it keeps the last "
                        + Deployment.HISTORY_LIMIT + ")"));
        return revision.versions();
    }

    private static DeployedVersion require(Deployment current, String version) {
        return current.version(version).orElseThrow(() -> new IllegalArgumentException(current.service() + " "
                + version + " is not deployed; deployed: " + current.versions().stream()
                        .map(DeployedVersion::version).toList()));
    }
}
