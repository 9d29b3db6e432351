package dev.vessel.router;

import static java.util.Objects.requireNonNull;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/** Builds the OSGi version ranges clients state. */
public final class VersionRanges {
    private VersionRanges() {}

    /**
     * Everything a client built against {@code version} can call under semantic versioning: the same major
     * version, at least {@code version}. {@code compatibleWith("1.2")} is {@code [1.2.0,2.0.0)}.
     */
    public static VersionRange compatibleWith(String version) {
        Version base = parseVersion(version);
        return new VersionRange(VersionRange.LEFT_CLOSED, base, new Version(base.getMajor() + 1, 0, 0),
                VersionRange.RIGHT_OPEN);
    }

    /** Exactly one version: {@code [v,v]}. */
    public static VersionRange exactly(String version) {
        Version v = parseVersion(version);
        return new VersionRange(VersionRange.LEFT_CLOSED, v, v, VersionRange.RIGHT_CLOSED);
    }

    /**
     * Parses OSGi range syntax: {@code [1.0,2.0)}, {@code (1.0,1.5]}, or a bare version {@code 1.0} meaning
     * "1.0 or later".
     *
     * @throws IllegalArgumentException naming the text and the expected syntax
     */
    public static VersionRange parse(String range) {
        requireNonNull(range, "range cannot be null");
        try {
            return new VersionRange(range.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + range + "' is not an OSGi version range; expected e.g. "
                    + "[1.0,2.0) or (1.0,1.5] or 1.0 (" + e.getMessage() + ")", e);
        }
    }

    static Version parseVersion(String version) {
        requireNonNull(version, "version cannot be null");
        try {
            return Version.parseVersion(version.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + version + "' is not an OSGi version; expected e.g. 1.2.0", e);
        }
    }
}
