package dev.vessel.host.internal.quorum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running member's ephemeral record: its configuration entry and the node and zone that run it. */
public record QuorumRegistration(QuorumMember member, String nodeId, String zone) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(QuorumRegistration.class);

    public byte[] toJson() {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", member.id());
        record.put("host", member.host());
        record.put("peerPort", member.peerPort());
        record.put("electionPort", member.electionPort());
        record.put("clientPort", member.clientPort());
        record.put("role", member.role().name());
        record.put("node", nodeId);
        record.put("zone", zone);
        try {
            return JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every readable registration in {@code folder} ({@link QuorumPaths#members} or {@link QuorumPaths#servers}),
     * by server id; none if the folder does not exist. One that ended between listing and reading is left out, one
     * that cannot be read is logged and left out.
     */
    public static Map<Long, QuorumRegistration> readAll(CuratorFramework client, String folder) throws Exception {
        Map<Long, QuorumRegistration> found = new HashMap<>();
        List<String> children;
        try {
            children = client.getChildren().forPath(folder);
        } catch (KeeperException.NoNodeException e) {
            return found;
        }
        for (String child : children) {
            try {
                QuorumRegistration registration = parse(client.getData().forPath(folder + "/" + child));
                found.put(registration.member().id(), registration);
            } catch (KeeperException.NoNodeException gone) {
                // ended between listing and reading
            } catch (IllegalArgumentException bad) {
                LOG.warn("ignoring unreadable quorum record {}/{}: {}", folder, child, bad.getMessage());
            }
        }
        return found;
    }

    /**
     * {@code live} (the registrations in {@link QuorumPaths#members}) and, for a member whose session ended, what it
     * last registered: a member that stopped answering is still named.
     */
    public static Map<Long, QuorumRegistration> withRemembered(CuratorFramework client, QuorumPaths paths,
            Map<Long, QuorumRegistration> live) throws Exception {
        Map<Long, QuorumRegistration> known = readAll(client, paths.servers());
        known.putAll(live);
        return known;
    }

    /** Keeps this record under {@link QuorumPaths#servers}, past the member's session. */
    public void remember(CuratorFramework client, QuorumPaths paths) throws Exception {
        String path = paths.servers() + "/" + member.id();
        try {
            client.setData().forPath(path, toJson());
        } catch (KeeperException.NoNodeException none) {
            client.create().creatingParentsIfNeeded().forPath(path, toJson());
        }
    }

    public static QuorumRegistration parse(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new QuorumRegistration(new QuorumMember(node.path("id").asLong(), node.path("host").asText(),
                    node.path("peerPort").asInt(), node.path("electionPort").asInt(), node.path("clientPort").asInt(),
                    QuorumMember.Role.valueOf(node.path("role").asText())), node.path("node").asText(),
                    node.path("zone").asText());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a quorum registration: " + e.getMessage(), e);
        }
    }
}
