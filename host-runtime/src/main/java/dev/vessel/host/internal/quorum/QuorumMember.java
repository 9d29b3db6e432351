package dev.vessel.host.internal.quorum;

import static java.util.Objects.requireNonNull;

/**
 * One ZooKeeper server of the quorum as the ensemble configuration names it:
 * {@code server.<id>=<host>:<peerPort>:<electionPort>:<role>;<host>:<clientPort>}.
 */
public record QuorumMember(long id, String host, int peerPort, int electionPort, int clientPort, Role role) {
    public enum Role { PARTICIPANT, OBSERVER }

    public QuorumMember {
        if (id < 1) {
            throw new IllegalArgumentException("a ZooKeeper server id is positive; got " + id);
        }
        requireNonNull(host, "host cannot be null");
        requireNonNull(role, "role cannot be null");
    }

    /** The {@code server.N} key of the ensemble configuration. */
    public String key() {
        return "server." + id;
    }

    /** The value after {@code server.N=}, as {@code reconfig} and the configuration file take it. */
    public String value() {
        return host + ":" + peerPort + ":" + electionPort + ":" + role.name().toLowerCase(java.util.Locale.ROOT) + ";"
                + host + ":" + clientPort;
    }

    /** {@code server.N=...}: one line of a configuration, one entry of a {@code reconfig} joining list. */
    public String line() {
        return key() + "=" + value();
    }

    public String clientAddress() {
        return host + ":" + clientPort;
    }

    public QuorumMember as(Role newRole) {
        return new QuorumMember(id, host, peerPort, electionPort, clientPort, newRole);
    }

    public boolean voter() {
        return role == Role.PARTICIPANT;
    }
}
