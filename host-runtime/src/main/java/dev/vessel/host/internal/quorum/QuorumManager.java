package dev.vessel.host.internal.quorum;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.QuorumStatus;
import java.io.Closeable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the quorum's membership at its desired shape. Every quorum member's node runs one; a Curator
 * {@link LeaderLatch} lets exactly one act. Each second the acting manager reads the live configuration
 * ({@code /zookeeper/config}), the members' registrations and a {@code srvr} probe of every member, asks
 * {@link QuorumPlanner} for the next change and makes it with {@code reconfig}, conditional on the configuration
 * version it read; a history entry (a quorum write) confirms it before the next pass.
 */
public final class QuorumManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumManager.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CuratorFramework client;
    private final QuorumPaths paths;
    private final String nodeId;
    private final QuorumPlanner.Desired desired;
    private final LeaderLatch latch;
    private final ScheduledExecutorService loop;
    /** Since when each member has been reachable or unreachable, and since when it has followed in sync. */
    private final Map<Long, long[]> observed = new HashMap<>();
    private String lastStatus = "";
    /** Each member's registration, or what it last registered, by server id, as the last pass read them. */
    private volatile Map<Long, QuorumRegistration> known = Map.of();
    /** Whether this manager has acted since it last gained leadership (a takeover first settles what it found). */
    private boolean acted;

    /** @param client a session with the quorum's super identity (reconfig needs it) */
    public QuorumManager(CuratorFramework client, QuorumPaths paths, String nodeId, QuorumPlanner.Desired desired) {
        this.client = client;
        this.paths = paths;
        this.nodeId = nodeId;
        this.desired = desired;
        this.latch = new LeaderLatch(client, paths.manager(), nodeId);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vessel-quorum-manager");
            thread.setDaemon(true);
            return thread;
        });
    }

    public QuorumManager start() {
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("the quorum manager's election could not start: " + e.getMessage(), e);
        }
        loop.scheduleWithFixedDelay(this::passSafely, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    public boolean acting() {
        return latch.hasLeadership();
    }

    private void passSafely() {
        try {
            if (latch.hasLeadership()) {
                if (!acted) {
                    confirmChangeLeftInFlight(System.currentTimeMillis());
                    acted = true;
                }
                pass(System.currentTimeMillis());
            } else {
                observed.clear();
                acted = false;
            }
        } catch (Exception e) {
            // a reconfig may have been applied though its answer was lost: check for it as after a takeover
            acted = false;
            LOG.warn("quorum manager pass failed (next pass in 1 s): {}", e.toString());
        }
    }

    private void pass(long now) throws Exception {
        Stat stat = new Stat();
        EnsembleView live = EnsembleView.parse(client.getConfig().storingStatIn(stat).forEnsemble());
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        Map<Long, QuorumRegistration> registered = QuorumRegistration.readAll(client, paths.members());
        known = QuorumRegistration.withRemembered(client, paths, registered);
        long leader = -1;
        for (QuorumMember member : live.members().values()) {
            QuorumRegistration registration = known.get(member.id());
            String mode = probe(member);
            if ("leader".equals(mode)) {
                leader = member.id();
            }
            seen.put(member.id(), seen(member, registration == null ? "" : registration.zone(), mode, now));
        }
        for (QuorumRegistration registration : registered.values()) {
            if (!live.members().containsKey(registration.member().id())) {
                QuorumMember candidate = registration.member();
                seen.put(candidate.id(), seen(candidate, registration.zone(), probe(candidate), now));
            }
        }
        observed.keySet().retainAll(seen.keySet());
        QuorumPlanner.Step step = QuorumPlanner.next(desired, live, seen, leader, now);
        if (step instanceof QuorumPlanner.Wait wait) {
            status(wait.reason(), live.version(), wait.pending(), null, now);
            return;
        }
        apply(step, live.version(), now);
    }

    private QuorumPlanner.Seen seen(QuorumMember member, String zone, String mode, long now) {
        boolean reachable = mode != null;
        boolean following = "leader".equals(mode) || "follower".equals(mode) || "observer".equals(mode);
        long[] times = observed.computeIfAbsent(member.id(), id -> new long[] {reachable ? 1 : 0, now, 0});
        if ((times[0] == 1) != reachable) {
            times[0] = reachable ? 1 : 0;
            times[1] = now;
        }
        if (!following) {
            times[2] = 0;
        } else if (times[2] == 0) {
            times[2] = now;
        }
        return new QuorumPlanner.Seen(member, zone, reachable, times[1], times[2]);
    }

    private void apply(QuorumPlanner.Step step, long fromVersion, long now) throws Exception {
        String kind;
        QuorumMember member;
        byte[] result;
        if (step instanceof QuorumPlanner.Remove remove) {
            kind = "remove";
            member = remove.member();
            inFlight(kind, member, step.reason(), fromVersion, now);
            result = client.reconfig().leaving(Long.toString(member.id())).fromConfig(fromVersion).forEnsemble();
            forget(member.id());
        } else {
            // adding, promoting and demoting are all "join with this entry": ZooKeeper replaces a member's role
            if (step instanceof QuorumPlanner.AddVoter add) {
                kind = "add-voter";
                member = add.member();
            } else if (step instanceof QuorumPlanner.AddObserver add) {
                kind = "add-observer";
                member = add.member();
            } else if (step instanceof QuorumPlanner.Promote promote) {
                kind = "promote";
                member = promote.member();
            } else if (step instanceof QuorumPlanner.Demote demote) {
                kind = "demote";
                member = demote.member();
            } else {
                throw new IllegalArgumentException("nothing to apply: " + step.reason());
            }
            inFlight(kind, member, step.reason(), fromVersion, now);
            result = client.reconfig().joining(member.line()).fromConfig(fromVersion).forEnsemble();
        }
        long toVersion = EnsembleView.parse(result).version();
        LOG.info("quorum: {} server {} ({}): configuration {} -> {}", kind, member.id(), step.reason(),
                Long.toHexString(fromVersion), Long.toHexString(toVersion));
        confirm(kind, member.id(), member.line(), step.reason(), fromVersion, toVersion, now);
        status(kind + " server " + member.id() + ": " + step.reason(), toVersion, List.of(), null, now);
    }

    private String nodeOf(long server) {
        QuorumRegistration registration = known.get(server);
        return registration == null ? "" : registration.nodeId();
    }

    /** A removed member is no longer named; if it comes back it registers, and is remembered, again. */
    private void forget(long server) {
        try {
            client.delete().forPath(paths.servers() + "/" + server);
        } catch (Exception e) {
            LOG.debug("quorum: no remembered record of server {} to delete: {}", server, e.toString());
        }
    }

    /** A history entry, a quorum write: the change is confirmed before the next pass computes another. */
    private void confirm(String kind, long server, String line, String reason, long fromVersion, long toVersion,
            long now) throws Exception {
        QuorumStatus.Change entry = new QuorumStatus.Change(now, kind, server, line, reason,
                Long.toHexString(fromVersion), Long.toHexString(toVersion), nodeId);
        client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(paths.history() + "/change-", JSON.writeValueAsBytes(entry));
    }

    /** Written before a reconfig, so that a manager taking over after a crash knows what may have happened. */
    private void inFlight(String kind, QuorumMember member, String reason, long fromVersion, long now)
            throws Exception {
        QuorumStatus.InFlight change = new QuorumStatus.InFlight(kind, member.id(), member.line(), reason,
                Long.toHexString(fromVersion), now);
        status("applying " + kind + " server " + member.id(), fromVersion, List.of(), change, now);
    }

    /**
     * A manager taking over finds the status its predecessor left. A change in flight there either happened (the
     * configuration moved on from the version it was computed from, and no history entry confirms it yet: this
     * manager writes the entry) or did not (the configuration is still at that version: the planner computes
     * afresh). Only managers change the configuration, one change at a time, so the live version is its result.
     */
    void confirmChangeLeftInFlight(long now) throws Exception {
        QuorumStatus.Manager status;
        try {
            status = QuorumStatus.manager(client.getData().forPath(paths.status()));
        } catch (KeeperException.NoNodeException none) {
            return;
        }
        QuorumStatus.InFlight change = status.inFlight();
        if (change == null) {
            return;
        }
        long fromVersion = Long.parseUnsignedLong(change.fromVersion(), 16);
        long live = EnsembleView.parse(client.getConfig().forEnsemble()).version();
        if (live == fromVersion) {
            LOG.info("quorum: {} server {} by {} did not happen; planning afresh", change.change(), change.server(),
                    status.manager());
            return;
        }
        try {
            for (String entry : client.getChildren().forPath(paths.history())) {
                QuorumStatus.Change confirmed = QuorumStatus.change(client.getData().forPath(paths.history() + "/"
                        + entry));
                if (change.fromVersion().equals(confirmed.fromVersion())) {
                    return;
                }
            }
        } catch (KeeperException.NoNodeException noHistory) {
            // nothing confirmed yet
        }
        String reason = change.reason() + "; confirmed by " + nodeId + " after " + status.manager() + " stopped";
        LOG.info("quorum: {} server {} was made by {} and not confirmed: confirming it", change.change(),
                change.server(), status.manager());
        confirm(change.change(), change.server(), change.member(), reason, fromVersion, live, now);
    }

    /** The manager's status record: what it found or did, the changes pending and the one in flight. */
    private void status(String reason, long version, List<QuorumPlanner.Pending> pending,
            QuorumStatus.InFlight inFlight, long now) throws Exception {
        String key = reason + pending + inFlight;
        if (key.equals(lastStatus)) {
            return;
        }
        QuorumStatus.Manager status = new QuorumStatus.Manager(now, nodeId, Long.toHexString(version),
                desired.voters(), reason, pending.stream().map(p -> new QuorumStatus.Pending(p.change(), p.server(),
                        p.elapsedMs(), p.neededMs(), p.describe(nodeOf(p.server())))).toList(),
                inFlight);
        byte[] bytes = JSON.writeValueAsBytes(status);
        try {
            client.setData().forPath(paths.status(), bytes);
        } catch (KeeperException.NoNodeException e) {
            client.create().creatingParentsIfNeeded().forPath(paths.status(), bytes);
        }
        lastStatus = key;
    }

    /** The member's {@code Mode} from its {@code srvr} answer ("standalone", "leader", ...), "" if it serves none, null if it does not answer. */
    static String probe(QuorumMember member) {
        return MemberProbe.ask(member).map(MemberProbe.Answer::mode).orElse(null);
    }

    /**
     * Stops acting and taking part. The election node is not deleted here: it goes with the session, which the
     * caller closes, and a delete would retry for as long as the retry policy allows when the quorum has no
     * majority any more.
     */
    @Override
    public void close() {
        loop.shutdownNow();
    }
}
