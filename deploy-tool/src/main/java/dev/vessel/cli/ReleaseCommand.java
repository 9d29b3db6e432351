package dev.vessel.cli;

import dev.vessel.host.InvalidReleaseException;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.protocol.admin.AdminJson;
import dev.vessel.registry.ReleaseSignature;
import dev.vessel.registry.Sha256;
import dev.vessel.registry.SigningKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Release signing: a key of your own, and a detached signature over a release's service,"
                + " version and the SHA-256 of each of its jars, which `vessel deploy --signature` stores with it.",
        subcommands = {ReleaseCommand.Key.class, ReleaseCommand.Sign.class})
final class ReleaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliException(ExitCode.BAD_INPUT, "vessel release needs what to do: key or sign");
    }

    /** A signature file as {@code vessel release sign} writes it. */
    static ReleaseSignature readSignature(Path file) {
        try {
            return AdminJson.read(Files.readAllBytes(file), ReleaseSignature.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(ExitCode.BAD_INPUT, "cannot read the signature " + file + ": " + e.getMessage());
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true,
            description = "Makes an Ed25519 signing key: FILE holds the private key (owner-only; keep it where your"
                    + " builds sign), FILE.pub the public key an admin trusts with `vessel trust add-key`.")
    static final class Key implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the private key goes.")
        Path out;

        @Override
        public Integer call() throws IOException {
            if (Files.exists(out)) {
                throw new CliException(ExitCode.BAD_INPUT, out + " exists: a key is never overwritten");
            }
            KeyPair pair = SigningKeys.generate();
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(out, SigningKeys.encode(pair.getPrivate()) + "\n");
            Path pub = out.resolveSibling(out.getFileName() + ".pub");
            Files.writeString(pub, SigningKeys.encode(pair.getPublic()) + "\n");
            PrintWriter printed = spec.commandLine().getOut();
            printed.println("key " + SigningKeys.id(pair.getPublic()) + ": private key in " + out
                    + ", public key in " + pub);
            printed.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Signs a release (the jars `vessel deploy` would take) and writes the signature file.")
    static final class Sign implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "JAR", arity = "1..*", description = "The release's bundle jars.")
        List<Path> jars;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "The private key"
                + " (`vessel release key`).")
        Path key;

        @Option(names = "--service", paramLabel = "SERVICE", description = "The service it is deployed as, when"
                + " `vessel deploy --service` will name another than its primary bundle's Vessel-Service header.")
        String service;

        @Option(names = "--out", paramLabel = "FILE", description = "Where the signature goes (default:"
                + " <service>-<version>.vessel-signature.json beside the first jar).")
        Path out;

        @Override
        public Integer call() throws IOException {
            Release release;
            try {
                release = ReleaseReader.read(jars);
            } catch (InvalidReleaseException e) {
                throw new CliException(ExitCode.BAD_INPUT, e.getMessage());
            }
            PrivateKey privateKey;
            PublicKey publicKey;
            try {
                privateKey = SigningKeys.privateKey(Files.readString(key));
                Path pub = key.resolveSibling(key.getFileName() + ".pub");
                publicKey = SigningKeys.publicKey(Files.readString(pub));
            } catch (IOException | IllegalArgumentException e) {
                throw new CliException(ExitCode.BAD_INPUT, "cannot read the key " + key + " and " + key + ".pub: "
                        + e.getMessage());
            }
            String named = service != null ? service : release.service();
            List<String> digests = new ArrayList<>();
            for (Path jar : jars) {
                digests.add(Sha256.of(jar));
            }
            ReleaseSignature signature = ReleaseSignature.sign(named, release.version().toString(), digests,
                    privateKey, SigningKeys.id(publicKey));
            if (!signature.verifiedBy(publicKey)) {
                throw new CliException(ExitCode.BAD_INPUT, key + ".pub is not the public half of " + key);
            }
            Path target = out != null ? out : jars.get(0).toAbsolutePath().resolveSibling(named + "-"
                    + release.version() + ".vessel-signature.json");
            Files.write(target, AdminJson.write(signature));
            PrintWriter printed = spec.commandLine().getOut();
            printed.println("signed " + named + " " + release.version() + " (" + digests.size() + " jar(s)) with key "
                    + signature.keyId() + ": " + target);
            printed.flush();
            return ExitCode.OK;
        }
    }
}
