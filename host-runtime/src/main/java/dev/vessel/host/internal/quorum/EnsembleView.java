package dev.vessel.host.internal.quorum;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.zookeeper.server.quorum.QuorumPeer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.flexible.QuorumMaj;

/**
 * The live ensemble configuration, as ZooKeeper keeps it in {@code /zookeeper/config}: its members and the
 * configuration version every {@code reconfig} is made conditional on. Parsed by ZooKeeper's own
 * {@link QuorumMaj}, so Vessel reads exactly what the servers read.
 */
public record EnsembleView(long version, Map<Long, QuorumMember> members) {
    public EnsembleView {
        members = java.util.Collections.unmodifiableMap(new TreeMap<>(members));
    }

    public static EnsembleView parse(byte[] config) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(new String(config, StandardCharsets.UTF_8)));
            QuorumMaj quorum = new QuorumMaj(properties);
            return new EnsembleView(quorum.getVersion(), fromServers(quorum.getAllMembers().values()).members());
        } catch (IOException | QuorumPeerConfig.ConfigException | RuntimeException e) {
            throw new IllegalArgumentException("not an ensemble configuration: " + e.getMessage(), e);
        }
    }

    /** The members ZooKeeper's own configuration classes describe (version unknown: 0). */
    public static EnsembleView fromServers(java.util.Collection<QuorumPeer.QuorumServer> servers) {
        Map<Long, QuorumMember> members = new TreeMap<>();
        for (QuorumPeer.QuorumServer server : servers) {
            InetSocketAddress peer = server.addr.getOne();
            InetSocketAddress election = server.electionAddr.getOne();
            InetSocketAddress client = server.clientAddr;
            members.put(server.id, new QuorumMember(server.id, server.hostname, peer.getPort(), election.getPort(),
                    client == null ? 0 : client.getPort(), server.type == QuorumPeer.LearnerType.OBSERVER
                            ? QuorumMember.Role.OBSERVER : QuorumMember.Role.PARTICIPANT));
        }
        return new EnsembleView(0, members);
    }

    public Map<Long, QuorumMember> voters() {
        return members.values().stream().filter(QuorumMember::voter)
                .collect(Collectors.toMap(QuorumMember::id, m -> m, (a, b) -> a, TreeMap::new));
    }

    /** Client addresses of every member, the connect string that reaches the whole ensemble. */
    public String connectString() {
        return members.values().stream().filter(m -> m.clientPort() > 0).map(QuorumMember::clientAddress)
                .collect(Collectors.joining(","));
    }
}
