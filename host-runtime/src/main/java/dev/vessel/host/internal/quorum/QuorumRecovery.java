package dev.vessel.host.internal.quorum;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.flexible.QuorumVerifier;

/**
 * Re-founds a quorum that has lost its majority for good, from the directory of one stopped member that survived:
 * its membership is rewritten so that it is the only voter and every other member an observer, under a
 * configuration version above any the old quorum can have reached. Nothing of its data is touched, so everything it
 * had logged stays, and becomes committed when it leads.
 *
 * <p>The other members stay in the configuration as observers rather than leave it: a lost member that returns
 * with its old membership learns the new one from this member during leader election (a higher version wins),
 * finds it has no vote, and follows, taking this member's data in place of its own; the quorum manager then makes
 * it a voter again once it has followed in sync. A member that never returns is removed by the manager like any
 * unreachable one. The version is {@code (epoch + 1) << 32} for the highest epoch this member has seen, which is
 * above every transaction id (and so every configuration version) of the epochs it knows and below every one of
 * the epoch it is about to lead.
 */
public final class QuorumRecovery {
    /**
     * @param member      the surviving member, now the only voter
     * @param observers   the other members, now observers
     * @param fromVersion the configuration version before, {@code toVersion} after
     */
    public record Refounded(long member, List<Long> observers, long fromVersion, long toVersion) {}

    private QuorumRecovery() {}

    /** Rewrites the membership in {@code dir} (a stopped member's: {@code zoo.cfg}, {@code data/}). */
    static Refounded rewrite(Path dir, long self) throws IOException {
        Path config = dir.resolve("zoo.cfg");
        QuorumPeerConfig parsed = new QuorumPeerConfig();
        try {
            parsed.parse(config.toString());
        } catch (QuorumPeerConfig.ConfigException e) {
            throw new IOException("cannot read the quorum membership in " + dir + ": " + e.getMessage(), e);
        }
        QuorumVerifier current = parsed.getLastSeenQuorumVerifier() != null
                && parsed.getLastSeenQuorumVerifier().getVersion() > parsed.getQuorumVerifier().getVersion()
                ? parsed.getLastSeenQuorumVerifier() : parsed.getQuorumVerifier();
        List<QuorumMember> members = new ArrayList<>(EnsembleView.fromServers(current.getAllMembers().values())
                .members().values());
        if (members.stream().noneMatch(m -> m.id() == self)) {
            throw new IOException("member " + self + " is not in its own membership (" + members + ")");
        }
        Path snapshots = dir.resolve("data").resolve("version-2"); // where ZooKeeper keeps its epochs
        long epoch = Math.max(epoch(snapshots.resolve("acceptedEpoch")), epoch(snapshots.resolve("currentEpoch")));
        long version = Math.max((epoch + 1) << 32, current.getVersion() + 1);

        StringBuilder membership = new StringBuilder();
        List<Long> observers = new ArrayList<>();
        for (QuorumMember member : members) {
            boolean survivor = member.id() == self;
            membership.append(member.as(survivor ? QuorumMember.Role.PARTICIPANT : QuorumMember.Role.OBSERVER).line())
                    .append('\n');
            if (!survivor) {
                observers.add(member.id());
            }
        }
        // ZooKeeper takes the version from the file's name, never from inside it
        Path dynamic = dir.resolve("zoo.cfg.dynamic." + Long.toHexString(version)).toAbsolutePath();
        writeAtomically(dynamic, membership.toString());

        List<String> lines = new ArrayList<>();
        boolean pointed = false;
        for (String line : Files.readAllLines(config, StandardCharsets.US_ASCII)) {
            if (line.startsWith("dynamicConfigFile=")) {
                line = "dynamicConfigFile=" + dynamic;
                pointed = true;
            }
            lines.add(line);
        }
        if (!pointed) {
            lines.add("dynamicConfigFile=" + dynamic);
        }
        writeAtomically(config, String.join("\n", lines) + "\n");
        // a reconfiguration the old quorum had under way is the old quorum's: it must not come back
        Files.deleteIfExists(dir.resolve("zoo.cfg" + QuorumPeerConfig.nextDynamicConfigFileSuffix));
        return new Refounded(self, List.copyOf(observers), current.getVersion(), version);
    }

    private static long epoch(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold an epoch: " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(temp, content, StandardCharsets.US_ASCII);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
