package dev.vessel.host.internal.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;

/**
 * Closes a new connection at once when its client address already holds {@code cap} open connections, so one
 * client, however many connections it opens, holds at most its cap and leaves the rest of the node's connections
 * (and its health, admin API and data plane) to everyone else.
 *
 * <p>Counted once per network connection: with HTTPS the decrypted connection on top of it is not counted again.
 */
final class ClientConnectionCap implements Connection.Listener {
    private final int cap;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    /**
     * The admitted connections, which alone are counted out when they close, with their client's address (a
     * closed socket no longer tells it).
     */
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();

    ClientConnectionCap(int cap) {
        if (cap <= 0) {
            throw new IllegalArgumentException("the connection cap per client must be positive; got " + cap);
        }
        this.cap = cap;
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress client = client(connection);
        if (client == null) {
            return;
        }
        boolean[] admitted = {false};
        open.compute(client, (address, count) -> {
            int now = count == null ? 0 : count;
            admitted[0] = now < cap;
            return admitted[0] ? now + 1 : count;
        });
        if (admitted[0]) {
            counted.put(connection, client);
        } else {
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        InetAddress client = counted.remove(connection);
        if (client != null) {
            open.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
        }
    }

    private static InetAddress client(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        if (endPoint instanceof SslConnection.SslEndPoint) {
            return null; // the network connection beneath it is the one counted
        }
        SocketAddress remote = endPoint.getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
