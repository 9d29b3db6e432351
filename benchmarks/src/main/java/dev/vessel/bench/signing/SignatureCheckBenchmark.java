package dev.vessel.bench.signing;

import dev.vessel.registry.BundleRef;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseSignature;
import dev.vessel.registry.Sha256;
import dev.vessel.registry.SigningKeys;
import dev.vessel.registry.TrustPolicy;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * What checking a release's signature costs a node, for a release of {@code megabytes} MiB in {@code jars} jars
 * (random bytes, so nothing compresses or caches): the SHA-256 of every jar (what binds the bytes to the signed
 * digests; a node computes it as it stores each fetched chunk anyway) and the trust policy's check of the signature
 * over the digests (Ed25519), each timed {@code runs} times after one warm-up, medians and maxima printed; the
 * digest alone is the comparison, measured in the same run.
 */
public final class SignatureCheckBenchmark {
    private SignatureCheckBenchmark() {}

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int jars = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path dir = Files.createTempDirectory("vessel-signature-bench");
        List<Path> files = new ArrayList<>();
        Random random = new Random(42);
        byte[] block = new byte[1 << 20];
        for (int j = 0; j < jars; j++) {
            Path file = dir.resolve("bundle-" + j + ".jar");
            try (OutputStream out = Files.newOutputStream(file)) {
                for (int m = 0; m < megabytes / jars; m++) {
                    random.nextBytes(block);
                    out.write(block);
                }
            }
            files.add(file);
        }
        KeyPair key = SigningKeys.generate();
        String keyId = SigningKeys.id(key.getPublic());
        TrustPolicy policy = TrustPolicy.initial().withKey(new TrustPolicy.TrustedKey(keyId,
                SigningKeys.encode(key.getPublic()), "*", "bench", 0, null)).withMode(null, TrustPolicy.Mode.REQUIRE);

        double[] digest = new double[runs];
        double[] check = new double[runs];
        double[] total = new double[runs];
        for (int run = -1; run < runs; run++) {
            long start = System.nanoTime();
            List<String> digests = new ArrayList<>();
            List<BundleRef> bundles = new ArrayList<>();
            for (Path file : files) {
                String sha = Sha256.of(file);
                digests.add(sha);
                bundles.add(new BundleRef("b" + bundles.size(), "1.0.0", sha, Files.size(file),
                        file.getFileName().toString(), null));
            }
            long digested = System.nanoTime();
            ReleaseManifest manifest = new ReleaseManifest("bench", "1.0.0", "b0", bundles, List.of(), "", false,
                    "bench", 0);
            ReleaseSignature signature = ReleaseSignature.sign("bench", "1.0.0", digests, key.getPrivate(), keyId);
            long checkStart = System.nanoTime();
            TrustPolicy.Verdict verdict = policy.check(manifest, Optional.of(signature));
            long checked = System.nanoTime();
            if (verdict.refused()) {
                throw new IllegalStateException("the benchmark's own signature was refused: " + verdict.problem());
            }
            if (run >= 0) {
                digest[run] = (digested - start) / 1e6;
                check[run] = (checked - checkStart) / 1e6;
                total[run] = digest[run] + check[run];
            }
        }
        System.out.printf(Locale.ROOT, "release: %d MiB in %d jars, %d runs after one warm-up%n", megabytes, jars,
                runs);
        System.out.println("| measured | median ms | max ms |");
        System.out.println("|---|---|---|");
        row("SHA-256 of every jar (baseline)", digest);
        row("signature check (policy, Ed25519 over the digests)", check);
        row("both: what a node spends to check the release", total);
        for (Path file : files) {
            Files.delete(file);
        }
        Files.delete(dir);
    }

    private static void row(String name, double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f |%n", name, sorted[sorted.length / 2],
                sorted[sorted.length - 1]);
    }
}
