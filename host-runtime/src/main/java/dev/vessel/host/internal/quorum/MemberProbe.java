package dev.vessel.host.internal.quorum;

import java.util.Optional;
import org.apache.zookeeper.client.FourLetterWordMain;

/** What a member says of itself when asked {@code srvr}: the one parser of that answer. */
public final class MemberProbe {
    /**
     * @param mode    leader, follower, observer, standalone; "" while it serves nothing
     * @param zxid    the last transaction it applied (hex), "" if it did not say
     * @param latency its request latency min/avg/max in ms, "" if it did not say
     */
    public record Answer(String mode, String zxid, String latency) {
        /** Following or leading the quorum: in sync as far as a probe can tell. */
        public boolean serving() {
            return mode.equals("leader") || mode.equals("follower") || mode.equals("observer");
        }
    }

    private MemberProbe() {}

    /** The member's answer within one second, or empty if it does not answer. */
    public static Optional<Answer> ask(QuorumMember member) {
        try {
            String answer = FourLetterWordMain.send4LetterWord(member.host(), member.clientPort(), "srvr", false,
                    1_000);
            String mode = field(answer, "Mode: ");
            return Optional.of(new Answer(mode.split("\\s")[0], field(answer, "Zxid: "),
                    field(answer, "Latency min/avg/max: ")));
        } catch (Exception e) {
            // refused, timed out, or an answer that is not one (send4LetterWord declares SSLContextException too)
            return Optional.empty();
        }
    }

    private static String field(String answer, String name) {
        int at = answer.indexOf(name);
        if (at < 0) {
            return "";
        }
        int end = answer.indexOf('\n', at);
        return answer.substring(at + name.length(), end < 0 ? answer.length() : end).trim();
    }
}
