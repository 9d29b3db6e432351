package dev.vessel.host.internal.quorum;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.client.FourLetterWordMain;
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
    private volatile String lastStatus = "";

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
                pass(System.currentTimeMillis());
            } else {
                observed.clear();
            }
        } catch (Exception e) {
            LOG.warn("quorum manager pass failed (next pass in 1 s): {}", e.toString());
        }
    }

    private void pass(long now) throws Exception {
        Stat stat = new Stat();
        EnsembleView live = EnsembleView.parse(client.getConfig().storingStatIn(stat).forEnsemble());
        Map<Long, QuorumPlanner.Seen> seen = new HashMap<>();
        Map<Long, QuorumRegistration> registered = registrations();
        long leader = -1;
        for (QuorumMember member : live.members().values()) {
            QuorumRegistration registration = registered.get(member.id());
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
            status(wait.reason(), live.version(), now);
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
            result = client.reconfig().leaving(Long.toString(member.id())).fromConfig(fromVersion).forEnsemble();
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
            result = client.reconfig().joining(member.line()).fromConfig(fromVersion).forEnsemble();
        }
        long toVersion = EnsembleView.parse(result).version();
        LOG.info("quorum: {} server {} ({}): configuration {} -> {}", kind, member.id(), step.reason(),
                Long.toHexString(fromVersion), Long.toHexString(toVersion));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("time", now);
        entry.put("change", kind);
        entry.put("server", member.id());
        entry.put("member", member.line());
        entry.put("reason", step.reason());
        entry.put("fromVersion", Long.toHexString(fromVersion));
        entry.put("toVersion", Long.toHexString(toVersion));
        entry.put("by", nodeId);
        // a quorum write: the change is confirmed before the next pass computes another
        client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(paths.history() + "/change-", JSON.writeValueAsBytes(entry));
        status(kind + " server " + member.id() + ": " + step.reason(), toVersion, now);
    }

    private void status(String reason, long version, long now) throws Exception {
        if (reason.equals(lastStatus)) {
            return;
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("time", now);
        status.put("manager", nodeId);
        status.put("configVersion", Long.toHexString(version));
        status.put("desiredVoters", desired.voters());
        status.put("state", reason);
        byte[] bytes = JSON.writeValueAsBytes(status);
        try {
            client.setData().forPath(paths.status(), bytes);
        } catch (KeeperException.NoNodeException e) {
            client.create().creatingParentsIfNeeded().forPath(paths.status(), bytes);
        }
        lastStatus = reason;
    }

    private Map<Long, QuorumRegistration> registrations() throws Exception {
        Map<Long, QuorumRegistration> found = new HashMap<>();
        List<String> children;
        try {
            children = client.getChildren().forPath(paths.members());
        } catch (KeeperException.NoNodeException e) {
            return found;
        }
        for (String child : children) {
            try {
                QuorumRegistration registration = QuorumRegistration.parse(client.getData()
                        .forPath(paths.members() + "/" + child));
                found.put(registration.member().id(), registration);
            } catch (KeeperException.NoNodeException gone) {
                // ended between listing and reading
            } catch (IllegalArgumentException bad) {
                LOG.warn("ignoring unreadable quorum registration {}: {}", child, bad.getMessage());
            }
        }
        return found;
    }

    /** The member's {@code Mode} from its {@code srvr} answer ("standalone", "leader", ...), "" if it serves none, null if it does not answer. */
    static String probe(QuorumMember member) {
        try {
            String answer = FourLetterWordMain.send4LetterWord(member.host(), member.clientPort(), "srvr", false, 1_000);
            int at = answer.indexOf("Mode: ");
            return at < 0 ? "" : answer.substring(at + 6).split("\\s")[0];
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (Exception e) {
            return null;
        }
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
