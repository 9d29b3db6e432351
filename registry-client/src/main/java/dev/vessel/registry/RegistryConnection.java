package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.zookeeper.ZooDefs;

/**
 * A Curator session to the registry together with its layout and x-discovery view. Every other registry class
 * works through one of these. Closing it closes what it opened, never a client that was handed in.
 */
public final class RegistryConnection implements Closeable {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private final CuratorFramework curator;
    private final boolean ownsCurator;
    private final RegistryLayout layout;
    private final ServiceDiscovery<Map<String, String>> discovery;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Closed before the session goes: recipes left running on a closed client retry without end. */
    private final java.util.Deque<Closeable> dependents = new java.util.concurrent.ConcurrentLinkedDeque<>();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Class<Map<String, String>> PAYLOAD_TYPE = (Class) Map.class;

    private RegistryConnection(CuratorFramework curator, boolean ownsCurator, RegistryLayout layout) throws Exception {
        this.curator = curator;
        this.ownsCurator = ownsCurator;
        this.layout = layout;
        this.discovery = ServiceDiscoveryBuilder.builder(PAYLOAD_TYPE)
                .client(curator)
                .basePath(layout.services())
                // x-discovery's own JSON, read without honouring the class name a record gives its payload
                .serializer(new PlainInstanceSerializer())
                .build();
        discovery.start();
    }

    /**
     * Opens a new session to {@code connectString} ({@code host:port[,host:port...]}) and waits for it.
     *
     * @throws RegistryUnreachableException if no server answers within {@code timeout}
     */
    public static RegistryConnection connect(String connectString, RegistryLayout layout, Duration timeout) {
        return connect(connectString, layout, timeout, null);
    }

    /**
     * Like {@link #connect(String, RegistryLayout, Duration)}, authenticated when {@code credentials} is not
     * null. As the cluster's nodes, everything the session creates is writable only by them and readable by them
     * and the reader identity, and the root and its top-level paths are made so; as the reader, the session
     * reads a secured registry and changes nothing.
     *
     * @throws RegistryException if the root exists and someone else may write it, or this session may not read it
     */
    public static RegistryConnection connect(String connectString, RegistryLayout layout, Duration timeout,
            RegistryCredentials credentials) {
        return connect(connectString, layout, timeout, credentials, null);
    }

    /**
     * Like {@link #connect(String, RegistryLayout, Duration, RegistryCredentials)}, over TLS when {@code tls} is
     * not null (a quorum run by Vessel's nodes with TLS).
     */
    public static RegistryConnection connect(String connectString, RegistryLayout layout, Duration timeout,
            RegistryCredentials credentials, RegistryTls tls) {
        requireNonNull(connectString, "connectString cannot be null");
        requireNonNull(layout, "layout cannot be null");
        requireNonNull(timeout, "timeout cannot be null");
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(15_000)
                .connectionTimeoutMs(5_000)
                .retryPolicy(RetryBudget.policy());
        if (tls != null) {
            builder.zkClientConfig(tls.clientConfig());
        }
        if (credentials != null) {
            builder.authorization("digest", credentials.authInfo());
            if (credentials.writes()) {
                builder.aclProvider(credentials);
            }
        }
        CuratorFramework curator = builder.build();
        curator.start();
        try {
            if (!curator.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RegistryUnreachableException("could not reach ZooKeeper at " + connectString + " within "
                        + timeout.toMillis() + " ms" + (tls != null ? " over TLS (does it serve TLS, and is its"
                        + " certificate in " + tls.trustStore() + " and valid for that address?)" : ""));
            }
            if (credentials != null && credentials.writes()) {
                for (String path : java.util.List.of(layout.root(), layout.services(), layout.nodes(), layout.statuses(),
                        layout.releases(), layout.deployments(), layout.artifacts(), layout.configurations(),
                        layout.rules())) {
                    secure(curator, path, credentials);
                }
            }
            checkReadable(curator, connectString, layout.root(), credentials);
            return new RegistryConnection(curator, true, layout);
        } catch (InterruptedException e) {
            curator.close();
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while connecting to ZooKeeper at " + connectString, e);
        } catch (RegistryException e) {
            curator.close();
            throw e;
        } catch (Exception e) {
            curator.close();
            throw new RegistryException("could not open the registry at " + connectString + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
    }

    /** A secured root this session may not read is named now, not as a NoAuth deep inside a watch later. */
    private static void checkReadable(CuratorFramework curator, String connectString, String root,
            RegistryCredentials credentials) throws Exception {
        try {
            curator.getChildren().forPath(root);
        } catch (org.apache.zookeeper.KeeperException.NoNodeException absent) {
            // nothing written yet: nothing to read either
        } catch (org.apache.zookeeper.KeeperException.NoAuthException e) {
            throw new RegistryAccessDeniedException("the registry " + root + " at " + connectString + " is secured and "
                    + (credentials == null ? "this client gave no credential" : "refuses the "
                    + credentials.user() + " credential it gave (wrong secret?)") + ": connect with the cluster's registry reader"
                    + " secret (RegistryCredentials.readerSecret of its admin token)", e);
        }
    }

    public static RegistryConnection connect(String connectString) {
        return connect(connectString, RegistryLayout.defaultLayout(), DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * The root and its top-level paths exist with the nodes' ACL: created so, or, if someone created one first,
     * set so, which only works while it is still writable by anyone; one closed to the nodes is an error.
     */
    private static void secure(CuratorFramework curator, String root, RegistryCredentials secured)
            throws Exception {
        closeOpenPaths(curator, secured);
        try {
            curator.create().creatingParentsIfNeeded().forPath(root);
        } catch (org.apache.zookeeper.KeeperException.NodeExistsException exists) {
            java.util.List<org.apache.zookeeper.data.ACL> acl = curator.getACL().forPath(root);
            if (!new java.util.HashSet<>(acl).equals(new java.util.HashSet<>(secured.acl()))) {
                try {
                    curator.setACL().withACL(secured.acl()).forPath(root);
                } catch (org.apache.zookeeper.KeeperException.NoAuthException e) {
                    throw new RegistryException("the registry root " + root + " belongs to another identity ("
                            + acl + "); the nodes of this cluster cannot secure it", e);
                }
            }
        }
    }

    /** Paths of ZooKeeper's own that anyone may write to until a cluster closes them. */
    private static final List<String> OPEN_PATHS = List.of("/", "/zookeeper");

    /**
     * ZooKeeper's root and {@code /zookeeper} are writable by anyone on a new server: a stranger could create
     * persistent znodes of up to 1 MB each, held in the heap of every server (the nodes' own, on a quorum they
     * run). They are closed to everyone but the cluster's nodes (anyone may still read and list them): done only
     * while they are open to anyone, so an ensemble someone else administers keeps the ACLs they chose, and a path
     * a node may not change is left as it is.
     */
    private static void closeOpenPaths(CuratorFramework curator, RegistryCredentials secured) throws Exception {
        org.apache.zookeeper.data.ACL open = new org.apache.zookeeper.data.ACL(ZooDefs.Perms.ALL,
                ZooDefs.Ids.ANYONE_ID_UNSAFE);
        List<org.apache.zookeeper.data.ACL> closed = new java.util.ArrayList<>(secured.acl());
        closed.add(new org.apache.zookeeper.data.ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        for (String path : OPEN_PATHS) {
            try {
                if (curator.getACL().forPath(path).contains(open)) {
                    curator.setACL().withACL(closed).forPath(path);
                }
            } catch (org.apache.zookeeper.KeeperException.NoAuthException
                    | org.apache.zookeeper.KeeperException.NoNodeException notOurs) {
                // administered by someone else, or not there: theirs to close
            }
        }
    }

    /** Uses a started client owned by the caller; {@link #close()} leaves it open. */
    public static RegistryConnection using(CuratorFramework curator, RegistryLayout layout) {
        requireNonNull(curator, "curator cannot be null");
        requireNonNull(layout, "layout cannot be null");
        try {
            return new RegistryConnection(curator, false, layout);
        } catch (Exception e) {
            throw new RegistryException("could not open the registry: " + e.getMessage(), e);
        }
    }

    /** Closes {@code dependent} when this connection closes, before its session goes. */
    void closeWithSession(Closeable dependent) {
        dependents.push(dependent);
    }

    public CuratorFramework curator() {
        return curator;
    }

    public RegistryLayout layout() {
        return layout;
    }

    /** Whether the session is connected to a ZooKeeper server now (it may still be alive while it is not). */
    public boolean connected() {
        return curator.getZookeeperClient().isConnected();
    }

    /** The x-discovery view of {@code {root}/services}; instances carry a {@code Map<String,String>} payload. */
    public ServiceDiscovery<Map<String, String>> discovery() {
        return discovery;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Closeable dependent : dependents) {
            try {
                dependent.close();
            } catch (IOException | RuntimeException e) {
                // keep closing
            }
        }
        try {
            discovery.close();
        } catch (IOException | RuntimeException e) {
            // keep closing: the session below must go regardless
        } finally {
            if (ownsCurator) {
                curator.close();
            }
        }
    }
}
