package dev.vessel.cli;

import dev.vessel.host.ViewerToken;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prints the address of a node's dashboard with a token in the fragment: the browser never sends a fragment to
 * the server, and the page moves it to the tab's session storage and out of the address bar.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Prints the address of the web dashboard (a node's /ui/) with the admin token, or with the"
                + " read-only viewer token, which can be handed to whoever should watch rollouts without changing"
                + " them. Open it in a browser.")
final class DashboardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AdminOptions admin;

    @Option(names = "--viewer", description = "Use the viewer token: the page shows everything and its rollback"
            + " and promote buttons are disabled; the node refuses changes made with it.")
    boolean viewer;

    @Override
    public Integer call() {
        URI node = admin.server != null ? admin.server : VesselHome.resolve().cluster()
                .filter(c -> c.nodes() != null && !c.nodes().isEmpty()).map(c -> URI.create(c.nodes().get(0).url()))
                .orElseThrow(() -> new CliException(ExitCode.BAD_INPUT, "no cluster recorded by `vessel up`: pass"
                        + " --server URL of a node"));
        String token = viewer ? ViewerToken.of(admin.token()) : admin.token();
        String base = node.toString().replaceAll("/+$", "");
        PrintWriter out = spec.commandLine().getOut();
        out.println(base + "/ui/#token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        out.flush();
        return ExitCode.OK;
    }
}
