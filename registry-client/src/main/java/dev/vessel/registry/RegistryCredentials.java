package dev.vessel.registry;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * Who may change a secured registry: the nodes of the cluster, as the ZooKeeper digest identity
 * {@code vessel-node}, whose password derives from the cluster's admin token (so every node and every holder of
 * the token has it, and nobody needs to be given another secret). Every znode Vessel creates under a secured root
 * is writable only by that identity and readable by anyone: strangers can see the registry but change nothing.
 */
public final class RegistryCredentials implements ACLProvider {
    public static final String NODE_USER = "vessel-node";

    private final String password;
    private final List<ACL> acl;

    private RegistryCredentials(String password) {
        this.password = password;
        // not List.of: ZooKeeper checks an ACL with contains(null), which List.of answers with a
        // NullPointerException
        this.acl = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(List.of(
                new ACL(ZooDefs.Perms.ALL, new Id("digest", digest(NODE_USER, password))),
                new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE))));
    }

    /** The node identity of the cluster whose admin token this is. */
    public static RegistryCredentials forNodes(String adminToken) {
        return new RegistryCredentials(derive(adminToken, "vessel zookeeper node"));
    }

    /**
     * A secret for one {@code purpose}, derived from the cluster's admin token (HMAC-SHA256, hex): every holder of
     * the token can compute it, and it reveals nothing of the token.
     */
    public static String derive(String adminToken, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(adminToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** What {@code addAuthInfo("digest", ...)} takes. */
    public byte[] authInfo() {
        return (NODE_USER + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** The ACL of every secured znode. */
    public List<ACL> acl() {
        return acl;
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return acl;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return acl;
    }

    /**
     * {@code user:base64(sha1(user:password))}, the id ZooKeeper's digest scheme compares with. Computed here:
     * loading ZooKeeper's digest provider to compute it would also freeze its super-digest property.
     */
    public static String digest(String user, String password) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA1").digest((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
            return user + ":" + Base64.getEncoder().encodeToString(sha1);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
