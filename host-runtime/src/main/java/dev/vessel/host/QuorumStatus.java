package dev.vessel.host;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.internal.quorum.EnsembleView;
import dev.vessel.host.internal.quorum.MemberProbe;
import dev.vessel.host.internal.quorum.QuorumMember;
import dev.vessel.host.internal.quorum.QuorumPaths;
import dev.vessel.host.internal.quorum.QuorumRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * What {@code vessel quorum status} and {@code history} show: the live ensemble configuration, each member's own
 * report ({@code srvr}: mode, last zxid, its latency), which node runs it, what the acting quorum manager last
 * found or did (with the changes pending and the one in flight), and every change it made. Reads only: {@code /zookeeper/config} is readable by every client.
 */
public record QuorumStatus(String configVersion, List<Member> members, Manager manager, List<Change> history) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * What the acting quorum manager last found or did ({@code state}), the changes it waits to make and the one
     * it is making; written by the manager on every pass that changes it.
     *
     * @param inFlight the change being applied, null when none is
     */
    public record Manager(long time, String manager, String configVersion, int desiredVoters, String state,
            List<Pending> pending, InFlight inFlight) {
        public Manager {
            pending = pending == null ? List.of() : List.copyOf(pending);
        }
    }

    /** A change the manager waits to make until a member has been in sync (or away) long enough. */
    public record Pending(String change, long server, long elapsedMs, long neededMs, String progress) {}

    /**
     * A change written before the manager asks ZooKeeper for it, so that a manager taking over after a crash can
     * tell whether it happened.
     *
     * @param member the member's configuration line
     * @param since  when the manager started it (epoch milliseconds)
     */
    public record InFlight(String change, long server, String member, String reason, String fromVersion,
            long since) {}

    /** A membership change the manager made, confirmed once ZooKeeper's configuration moved on. */
    public record Change(long time, String change, long server, String member, String reason, String fromVersion,
            String toVersion, String by) {}

    /** The manager's record as stored. */
    public static Manager manager(byte[] stored) throws java.io.IOException {
        return JSON.readValue(stored, Manager.class);
    }

    /** A history entry as stored. */
    public static Change change(byte[] stored) throws java.io.IOException {
        return JSON.readValue(stored, Change.class);
    }

    /**
     * @param mode    the member's own answer: leader, follower, observer; "not serving" or "unreachable"
     * @param zxid    the last transaction it has applied (hex), so lag is the leader's minus this one
     * @param latency its reported average/max request latency in ms
     * @param lag     transactions it is behind the leader (the leader's zxid minus its own, same epoch), "" when
     *                that cannot be told (no leader answers, it does not serve, or another epoch)
     */
    public record Member(long id, String address, String role, String mode, String zxid, String latency,
            String lag, String node, String zone) {}

    public static QuorumStatus read(CuratorFramework client, String registryRoot) throws Exception {
        QuorumPaths paths = new QuorumPaths(registryRoot);
        EnsembleView view = EnsembleView.parse(client.getConfig().forEnsemble());
        Map<Long, QuorumRegistration> registered = QuorumRegistration.readAll(client, paths.members());
        Map<Long, QuorumRegistration> known = QuorumRegistration.withRemembered(client, paths, registered);
        List<Member> members = new ArrayList<>();
        for (QuorumMember m : view.members().values()) {
            members.add(member(m, m.role().name().toLowerCase(java.util.Locale.ROOT),
                    known.get(m.id())));
        }
        for (QuorumRegistration r : registered.values()) {
            if (!view.members().containsKey(r.member().id())) {
                members.add(member(r.member(), "joining", r));
            }
        }
        members = withLag(members);
        Manager manager = null;
        try {
            manager = manager(client.getData().forPath(paths.status()));
        } catch (KeeperException.NoNodeException none) {
            // no manager has run
        }
        List<Change> history = new ArrayList<>();
        try {
            List<String> entries = new ArrayList<>(client.getChildren().forPath(paths.history()));
            entries.sort(null);
            for (String entry : entries) {
                history.add(change(client.getData().forPath(paths.history() + "/" + entry)));
            }
        } catch (KeeperException.NoNodeException none) {
            // no change yet
        }
        return new QuorumStatus(Long.toHexString(view.version()), members, manager, history);
    }

    private static List<Member> withLag(List<Member> members) {
        long leader = members.stream().filter(m -> m.mode().equals("leader")).mapToLong(m -> zxid(m.zxid()))
                .findFirst().orElse(-1);
        List<Member> lagged = new ArrayList<>();
        for (Member m : members) {
            long own = zxid(m.zxid());
            String lag = leader < 0 || own < 0 || (leader >>> 32) != (own >>> 32) ? "" : Long.toString(leader - own);
            lagged.add(new Member(m.id(), m.address(), m.role(), m.mode(), m.zxid(), m.latency(), lag, m.node(),
                    m.zone()));
        }
        return lagged;
    }

    private static long zxid(String hex) {
        try {
            return hex.startsWith("0x") ? Long.parseUnsignedLong(hex.substring(2), 16) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Member member(QuorumMember m, String role, QuorumRegistration registration) {
        MemberProbe.Answer answer = MemberProbe.ask(m).orElse(new MemberProbe.Answer("unreachable", "", ""));
        return new Member(m.id(), m.clientAddress(), role, answer.mode().isEmpty() ? "not serving" : answer.mode(),
                answer.zxid(), answer.latency(), "", registration == null ? "" : registration.nodeId(),
                registration == null ? "" : registration.zone());
    }
}
