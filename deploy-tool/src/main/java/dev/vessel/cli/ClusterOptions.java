package dev.vessel.cli;

import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryLayout;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --zk} and {@code --root} for verbs that talk to a cluster; defaults come from the Vessel home. */
final class ClusterOptions {
    @Option(names = "--zk", paramLabel = "CONNECT",
            description = "ZooKeeper connect string, host:port[,host:port...]. Default: the cluster `vessel up` "
                    + "recorded in the Vessel home.")
    String zk;

    @Option(names = "--root", paramLabel = "PATH", description = "Registry root path. Default: ${DEFAULT-VALUE}.",
            defaultValue = RegistryLayout.DEFAULT_ROOT)
    String root;

    String connectString() {
        if (zk != null) {
            return zk;
        }
        VesselHome home = VesselHome.resolve();
        return home.cluster().map(VesselHome.ClusterInfo::zk).orElseThrow(() -> new CliException(
                ExitCode.UNAVAILABLE, "no --zk given and no running cluster recorded in " + home.dir()
                        + ": start one with `vessel up`, or pass --zk host:port"));
    }

    RegistryConnection connect() {
        return RegistryConnection.connect(connectString(), RegistryLayout.at(root), Duration.ofSeconds(10));
    }
}
