package dev.vessel.cli;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.AdminJson;
import dev.vessel.protocol.admin.TrustChange;
import dev.vessel.registry.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "trust", mixinStandardHelpOptions = true,
        description = "The cluster's trust in release signers: which keys sign which services, and whether a"
                + " service's releases must be signed (require), should be (warn: the default) or need not be (off)."
                + " Every node checks a release against it before it starts it.",
        subcommands = {TrustCommand.Show.class, TrustCommand.AddKey.class, TrustCommand.RevokeKey.class,
                TrustCommand.Mode.class})
final class TrustCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel trust needs what to do: show, add-key, revoke-key or mode");
    }

    /** Prints a policy, as a table or JSON, with the deployed releases whose signer's key is revoked. */
    static void print(PrintWriter out, AdminAnswers.Trust<TrustPolicy> trust, boolean json) {
        if (json) {
            out.println(new String(AdminJson.write(trust), StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        TrustPolicy policy = trust.policy();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KEY", "SERVICES", "ADDED", "BY", "STATE"});
        for (TrustPolicy.TrustedKey key : policy.keys()) {
            rows.add(new String[] {key.id(), key.services(), Instant.ofEpochMilli(key.added()).toString(),
                    key.addedBy(), key.valid() ? "valid" : "revoked " + Instant.ofEpochMilli(key.revoked())});
        }
        TextTable.print(out, rows);
        out.println("signatures: " + TrustPolicy.name(policy.mode()) + " unless a service says otherwise");
        for (Map.Entry<String, TrustPolicy.Mode> service : new java.util.TreeMap<>(policy.services()).entrySet()) {
            out.println("  " + service.getKey() + ": " + TrustPolicy.name(service.getValue()));
        }
        for (String release : trust.revokedInUse() == null ? List.<String>of() : trust.revokedInUse()) {
            out.println("deployed, signed by a revoked key: " + release);
        }
        out.flush();
    }

    /** Runs {@code change} through a node's admin API and prints the policy it leaves. */
    private static Integer change(CommandSpec spec, ClusterOptions cluster, AdminOptions admin, TrustChange change,
            boolean json) {
        AdminAnswers.Trust<TrustPolicy> after = ServiceVerb.withAdmin(cluster, admin,
                client -> client.changeTrust(change));
        print(spec.commandLine().getOut(), after, json);
        return ExitCode.OK;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The trusted keys and the modes.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print the policy as JSON.")
        boolean json;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), ServiceVerb.withAdmin(cluster, admin, client -> client.trust()), json);
            return ExitCode.OK;
        }
    }

    @Command(name = "add-key", mixinStandardHelpOptions = true,
            description = "Trusts a public key (`vessel release key` wrote it to FILE.pub) to sign the services"
                    + " --services matches. Two keys valid at once is how a key is rotated.")
    static final class AddKey implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PUBLIC_KEY_FILE", description = "The public key's file.")
        Path publicKey;

        @Option(names = "--services", required = true, paramLabel = "PATTERN",
                description = "The services it signs: a name or a pattern with * ('*' for every service).")
        String services;

        @Option(names = "--json", description = "Print the policy as JSON.")
        boolean json;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            String key;
            try {
                key = Files.readString(publicKey).trim();
            } catch (IOException e) {
                throw new CliException(ExitCode.BAD_INPUT, "cannot read " + publicKey + ": " + e.getMessage());
            }
            return change(spec, cluster, admin, new TrustChange("add-key", key, services, null, null, null,
                    AdminOptions.who()), json);
        }
    }

    @Command(name = "revoke-key", mixinStandardHelpOptions = true,
            description = "Revokes a key: releases it signed are refused from now on where signatures are required"
                    + " (new deploys, and any node that starts one again); what runs goes on running.")
    static final class RevokeKey implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KEY_ID", description = "The key's id (vessel trust show).")
        String keyId;

        @Option(names = "--json", description = "Print the policy as JSON.")
        boolean json;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            return change(spec, cluster, admin, new TrustChange("revoke-key", null, null, keyId, null, null,
                    AdminOptions.who()), json);
        }
    }

    @Command(name = "mode", mixinStandardHelpOptions = true,
            description = "require, warn or off: for --service, or for every service without a mode of its own.")
    static final class Mode implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MODE", description = "require, warn or off.")
        String mode;

        @Option(names = "--service", paramLabel = "SERVICE", description = "The service (default: every service"
                + " without a mode of its own).")
        String service;

        @Option(names = "--json", description = "Print the policy as JSON.")
        boolean json;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            try {
                TrustPolicy.Mode.of(mode);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
            }
            return change(spec, cluster, admin, new TrustChange("mode", null, null, null, mode, service,
                    AdminOptions.who()), json);
        }
    }
}
