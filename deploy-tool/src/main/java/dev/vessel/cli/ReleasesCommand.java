package dev.vessel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseSignature;
import dev.vessel.registry.TrustPolicy;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "releases", mixinStandardHelpOptions = true,
        description = "Lists the validated releases of one service, or of every service.")
final class ReleasesCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE")
    String service;

    @Option(names = "--json", description = "Print the release manifests as JSON.")
    boolean json;

    /** "signed by KEY", with what the policy says of it when that is not simply valid, or "unsigned". */
    private static String signer(ReleaseManifest release,
            AdminAnswers.Signatures<ReleaseSignature, TrustPolicy> signatures) {
        var signature = signatures.signatures().stream().filter(s -> s.version().equals(release.version()))
                .findFirst();
        if (signature.isEmpty()) {
            return "unsigned";
        }
        var verdict = signatures.policy().check(release, signature);
        return "signed by " + signature.get().keyId() + (verdict.problem() == null ? "" : " (" + verdict.problem()
                + ")");
    }

    @Override
    public Integer call() throws Exception {
        List<ReleaseManifest> releases;
        Map<String, String> signers = new HashMap<>();
        try (ClusterReads reads = ClusterReads.of(cluster)) {
            releases = reads.releases(service);
            if (!json) {
                Map<String, AdminAnswers.Signatures<ReleaseSignature, TrustPolicy>> byService = new HashMap<>();
                for (ReleaseManifest release : releases) {
                    signers.put(release.service() + " " + release.version(), signer(release,
                            byService.computeIfAbsent(release.service(), reads::signatures)));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.writeValueAsString(releases));
        } else if (releases.isEmpty()) {
            out.println("No releases" + (service == null ? "." : " of " + service + "."));
        } else {
            for (ReleaseManifest r : releases) {
                out.printf("%-12s %-10s %d bundle(s)  endpoints %s  %s by %s  %s%s%n", r.service(), r.version(),
                        r.bundles().size(), r.endpoints(), Instant.ofEpochMilli(r.created()), r.createdBy(),
                        signers.get(r.service() + " " + r.version()),
                        r.forced() ? "  (baseline overridden with --force)" : "");
            }
        }
        out.flush();
        return ExitCode.OK;
    }
}
