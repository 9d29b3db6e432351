package dev.vessel.cli;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.AdminJson;
import dev.vessel.protocol.admin.TokenRequest;
import dev.vessel.registry.AccessToken;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Scoped tokens: a deployer's for some services, a viewer's, or another admin's. The registry"
                + " keeps only their verifiers; every node checks them, and a revoked one is refused everywhere at"
                + " once.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel token needs what to do: create, list or revoke");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Issues a token and prints it, once: it is stored nowhere. Needs the admin token.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "deployer (uploads, and deploy, promote, retire, rollback, config, rules and rollouts"
                        + " of --services), viewer (reads) or admin (everything).")
        String role;

        @Option(names = "--services", paramLabel = "PATTERN",
                description = "For a deployer: the services it may change, a name or a pattern with * (quote it"
                        + " in a shell), such as 'calc' or 'payments-*'.")
        String services;

        @Option(names = "--description", paramLabel = "TEXT", description = "What the token is for, shown in lists.")
        String description;

        @Option(names = "--json", description = "Print the token and its record as JSON.")
        boolean json;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            AccessToken.Role asked;
            try {
                asked = AccessToken.Role.of(role);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
            }
            if (asked == AccessToken.Role.DEPLOYER && services == null) {
                throw new CliException(ExitCode.BAD_INPUT, "a deployer token needs --services: the services it may"
                        + " change (a name, or a pattern with *)");
            }
            AdminAnswers.TokenIssued<AccessToken> issued = ServiceVerb.withAdmin(cluster, admin, client ->
                    client.issueToken(new TokenRequest(asked.name().toLowerCase(Locale.ROOT), services, description,
                            AdminOptions.who())));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new String(AdminJson.write(issued), java.nio.charset.StandardCharsets.UTF_8));
            } else {
                out.println(issued.token());
                spec.commandLine().getErr().println("token " + issued.record().id() + ": "
                        + describe(issued.record()) + ". It is shown this once; the cluster keeps only its"
                        + " verifier. Revoke it with: vessel token revoke " + issued.record().id());
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every scoped token's id, role, services, creator and description (never a token).")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print the records as JSON.")
        boolean json;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            List<AccessToken> tokens = ServiceVerb.withAdmin(cluster, admin, client -> client.tokens());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new String(AdminJson.write(new AdminAnswers.Tokens<>(tokens)),
                        java.nio.charset.StandardCharsets.UTF_8));
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "ROLE", "SERVICES", "CREATED", "BY", "DESCRIPTION"});
                for (AccessToken token : tokens) {
                    rows.add(new String[] {token.id(), token.role().name().toLowerCase(Locale.ROOT),
                            token.services(), Instant.ofEpochMilli(token.created()).toString(), token.createdBy(),
                            token.description()});
                }
                TextTable.print(out, rows);
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a token: every node refuses it from the moment its registry watch fires.")
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The token's id, as `vessel token list` shows it.")
        String id;

        @Mixin
        ClusterOptions cluster;

        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() {
            boolean revoked = ServiceVerb.withAdmin(cluster, admin, client -> client.revokeToken(id));
            if (!revoked) {
                throw new CliException(ExitCode.NOT_FOUND, "no token " + id + " (vessel token list shows them)");
            }
            spec.commandLine().getOut().println("token " + id + " revoked");
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }

    static String describe(AccessToken token) {
        return switch (token.role()) {
            case ADMIN -> "admin of the whole cluster";
            case VIEWER -> "viewer (reads only)";
            case DEPLOYER -> "deployer of services matching '" + token.services() + "'";
        };
    }
}
