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
 * Who may read and change a secured registry. Two ZooKeeper digest identities, both derived from the cluster's
 * admin token so that nobody has to be handed a secret the token does not already imply:
 * <ul>
 *   <li>{@code vessel-node}, the nodes of the cluster (and every holder of the token): may write desired state,
 *       releases, holder records and registrations;</li>
 *   <li>{@code vessel-reader}, routers and the CLI's read verbs: may read everything under the root and change
 *       nothing. Its secret ({@link #readerSecret}) can be given to client developers without the token: it is
 *       one-way.</li>
 * </ul>
 * Every znode Vessel creates under a secured root carries {@code [vessel-node: all, vessel-reader: read]}; a
 * session with neither identity can neither read nor change anything there.
 */
public final class RegistryCredentials implements ACLProvider {
    public static final String NODE_USER = "vessel-node";
    public static final String READER_USER = "vessel-reader";

    private final String user;
    private final String password;
    private final List<ACL> acl;

    private RegistryCredentials(String user, String password, List<ACL> acl) {
        this.user = user;
        this.password = password;
        this.acl = acl;
    }

    /** The node identity of the cluster whose admin token this is: writes, and creates with the secured ACL. */
    public static RegistryCredentials forNodes(String adminToken) {
        String password = derive(adminToken, "vessel zookeeper node");
        // not List.of: ZooKeeper checks an ACL with contains(null), which List.of answers with a
        // NullPointerException
        List<ACL> acl = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(List.of(
                new ACL(ZooDefs.Perms.ALL, new Id("digest", digest(NODE_USER, password))),
                new ACL(ZooDefs.Perms.READ, new Id("digest", digest(READER_USER, readerSecret(adminToken)))))));
        return new RegistryCredentials(NODE_USER, password, acl);
    }

    /** The read-only identity, from the secret {@link #readerSecret} gives; it creates nothing. */
    public static RegistryCredentials forReader(String readerSecret) {
        if (readerSecret == null || readerSecret.isBlank()) {
            throw new IllegalArgumentException("the registry reader secret cannot be empty");
        }
        return new RegistryCredentials(READER_USER, readerSecret.trim(), List.of());
    }

    /** The reader identity's secret for the cluster whose admin token this is. */
    public static String readerSecret(String adminToken) {
        return derive(adminToken, "vessel zookeeper reader");
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
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** The digest user: {@link #NODE_USER} or {@link #READER_USER}. */
    public String user() {
        return user;
    }

    /** Whether this identity writes (the nodes') rather than only reads. */
    public boolean writes() {
        return NODE_USER.equals(user);
    }

    /** The ACL of every secured znode; empty for the reader, which creates none. */
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
