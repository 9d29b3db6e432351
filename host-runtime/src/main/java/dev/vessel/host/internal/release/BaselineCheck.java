package dev.vessel.host.internal.release;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * bnd's baseline of a new primary bundle against the previous release's: for every exported package, the API
 * change (MAJOR, MINOR, MICRO) and the version it requires. A declared version lower than that is a mismatch.
 */
final class BaselineCheck {
    private BaselineCheck() {}

    /** bnd's verdict, with its report in text form. */
    record Result(boolean mismatch, String report) {}

    static Result compare(Path newer, Path older) throws Exception {
        try (Processor reporter = new Processor();
                Jar newJar = new Jar(newer.toFile());
                Jar oldJar = new Jar(older.toFile())) {
            Baseline baseline = new Baseline(reporter, new DiffPluginImpl());
            List<Baseline.Info> infos = baseline.baseline(newJar, oldJar, null).stream()
                    .sorted(Comparator.comparing(i -> i.packageName))
                    .toList();
            Baseline.BundleInfo bundle = baseline.getBundleInfo();
            StringBuilder report = new StringBuilder();
            boolean mismatch = bundle.mismatch;
            report.append(String.format("bundle %s: %s -> %s, suggested %s%s%n", bundle.bsn, baseline.getOlderVersion(),
                    baseline.getNewerVersion(), bundle.suggestedVersion, bundle.mismatch ? "  MISMATCH" : ""));
            for (Baseline.Info info : infos) {
                mismatch |= info.mismatch;
                report.append(String.format("  package %s: %s change, %s -> declared %s, suggested %s%s%s%n",
                        info.packageName, info.packageDiff.getDelta(), info.olderVersion, info.newerVersion,
                        info.suggestedVersion, info.mismatch ? "  MISMATCH" : "",
                        info.warning == null || info.warning.isEmpty() ? "" : "  (" + info.warning + ")"));
            }
            return new Result(mismatch, report.toString().stripTrailing());
        }
    }
}
