package dev.vessel.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What every verb on one service's rule or rollout has: the cluster, a node's admin API, the service. */
abstract class ServiceVerb implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ClusterOptions cluster;

    @picocli.CommandLine.Mixin
    AdminOptions admin;

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    /** Runs {@code work} against a node of the cluster `vessel up` recorded, else one the registry names. */
    <T> T withAdmin(java.util.function.Function<dev.vessel.deploy.AdminClient, T> work) {
        return withAdmin(cluster, admin, work);
    }

    static <T> T withAdmin(ClusterOptions cluster, AdminOptions admin,
            java.util.function.Function<dev.vessel.deploy.AdminClient, T> work) {
        java.util.Optional<dev.vessel.deploy.AdminClient> viaNode = RecordedNode.client(cluster, admin);
        if (viaNode.isPresent()) {
            return work.apply(viaNode.get());
        }
        try (dev.vessel.registry.RegistryConnection registry = cluster.connect()) {
            return work.apply(admin.client(cluster, registry));
        }
    }
}
