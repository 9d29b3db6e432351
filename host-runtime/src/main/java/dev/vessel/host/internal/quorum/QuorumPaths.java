package dev.vessel.host.internal.quorum;

/** Where the quorum's own records live, under the registry root: {@code {root}/quorum/...}. */
public record QuorumPaths(String root) {
    public String quorum() {
        return root + "/quorum";
    }

    /** Ephemeral, one per member that runs: {@code members/<server id>}. */
    public String members() {
        return quorum() + "/members";
    }

    /**
     * Persistent, one per member that has run: {@code servers/<server id>}, the same record as its registration,
     * kept past its session so that a member that stopped answering is still named (and its zone known).
     */
    public String servers() {
        return quorum() + "/servers";
    }

    public String manager() {
        return quorum() + "/manager";
    }

    /** Persistent sequential {@code change-N} entries, each change and why. */
    public String history() {
        return quorum() + "/history";
    }

    /** What the acting manager last found or did. */
    public String status() {
        return quorum() + "/status";
    }

    /** The next server id to hand out, advanced with a conditional write. */
    public String nextId() {
        return quorum() + "/next-id";
    }
}
