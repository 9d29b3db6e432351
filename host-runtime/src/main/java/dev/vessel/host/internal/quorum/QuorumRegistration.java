package dev.vessel.host.internal.quorum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A running member's ephemeral record: its configuration entry and the node and zone that run it. */
public record QuorumRegistration(QuorumMember member, String nodeId, String zone) {
    private static final ObjectMapper JSON = new ObjectMapper();

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
