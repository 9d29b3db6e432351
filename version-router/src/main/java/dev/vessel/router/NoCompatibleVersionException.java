package dev.vessel.router;

import java.util.List;
import java.util.stream.Collectors;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/** No ACTIVE release of the service lies in the caller's range. Names the versions that do exist. */
public class NoCompatibleVersionException extends VesselClientException {
    private static final long serialVersionUID = 1L;

    private final String service;
    private final transient VersionRange range;
    private final transient List<Version> available;

    public NoCompatibleVersionException(String service, VersionRange range, List<Version> available) {
        super(message(service, range, available));
        this.service = service;
        this.range = range;
        this.available = List.copyOf(available);
    }

    private static String message(String service, VersionRange range, List<Version> available) {
        if (available.isEmpty()) {
            return "no compatible version of '" + service + "' for range " + range
                    + ": no ACTIVE instance of '" + service + "' is registered";
        }
        return "no compatible version of '" + service + "' for range " + range + "; ACTIVE versions: "
                + available.stream().map(Version::toString).collect(Collectors.joining(", "));
    }

    public String service() {
        return service;
    }

    public VersionRange range() {
        return range;
    }

    /** ACTIVE versions of the service when the call was made, lowest first. */
    public List<Version> availableVersions() {
        return available;
    }
}
