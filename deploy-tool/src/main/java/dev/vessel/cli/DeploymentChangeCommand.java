package dev.vessel.cli;

import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.deploy.RolloutSource;
import dev.vessel.registry.RegistryConnection;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** What promote, retire and rollback share: apply one change to the desired state, then wait for it. */
abstract class DeploymentChangeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    AdminOptions admin;

    @Option(names = "--no-wait", description = "Return once the desired state is written.")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    abstract String service();

    abstract DeploymentChange change(String by);

    @Override
    public Integer call() throws Exception {
        ProgressPrinter progress = new ProgressPrinter(spec.commandLine().getErr(), json);
        java.util.Optional<AdminClient> viaNode = RecordedNode.client(cluster, admin);
        if (viaNode.isPresent()) {
            return apply(viaNode.get(), RolloutSource.node(viaNode.get()), progress);
        }
        try (RegistryConnection registry = cluster.connect()) {
            return apply(admin.client(cluster, registry), RolloutSource.zooKeeper(registry), progress);
        }
    }

    private int apply(AdminClient client, RolloutSource source, ProgressPrinter progress) throws Exception {
        Rollout.Result result;
        if (noWait) {
            result = new Rollout.Result(null, client.change(service(), change(AdminOptions.who())), true, false,
                    java.util.List.of(), null);
        } else {
            result = new Rollout(client, source, progress, (name, sent, toSend, bytes) -> { })
                    .change(service(), change(AdminOptions.who()), Duration.ofSeconds(timeoutSeconds));
        }
        source.close();
        progress.finish();
        return RolloutOutput.print(spec.commandLine().getOut(), result, json);
    }
}
