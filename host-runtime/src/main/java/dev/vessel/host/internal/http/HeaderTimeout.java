package dev.vessel.host.internal.http;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection whose request line and headers take longer than a timeout to arrive, and one that has not
 * begun its first request within the same timeout of being accepted (a TLS handshake is part of that time).
 *
 * <p>Jetty 12 keeps {@code HttpConfiguration.minRequestDataRate} but no longer applies it, and its idle timeout
 * is reset by every byte: a client sending one header byte every few seconds would hold its connection for as
 * long as it likes, and enough of them take every connection the node allows. Every sweep looks at each
 * connection's parser; one that has been part-way through the same request's headers for longer than the
 * timeout is closed. A new connection that sends nothing (or only part of a TLS handshake) would otherwise live
 * for the idle timeout, so a few hundred new ones a second would keep every connection the node allows; it is
 * closed once it is older than the timeout with no request begun. A connection between requests (parser at its
 * start, at least one request served) is left to the idle timeout, one reading a body to the call handler's body
 * timeout.
 */
final class HeaderTimeout extends AbstractLifeCycle implements Runnable {
    private final ServerConnector connector;
    private final long timeoutNanos;
    private final long sweepMillis;
    /** Touched only by the sweep, which never runs twice at once (it schedules its next run when done). */
    private final Map<EndPoint, Receiving> receiving = new HashMap<>();
    private final LongAdder closed = new LongAdder();
    private volatile Scheduler.Task next;

    private record Receiving(long since, long requests) {}

    HeaderTimeout(ServerConnector connector, long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("the header timeout must be positive; got " + timeoutMillis + " ms");
        }
        this.connector = connector;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.sweepMillis = Math.max(50, Math.min(1_000, timeoutMillis / 4));
    }

    @Override
    protected void doStart() {
        schedule();
    }

    @Override
    protected void doStop() {
        Scheduler.Task task = next;
        if (task != null) {
            task.cancel();
        }
        receiving.clear();
    }

    private void schedule() {
        next = connector.getScheduler().schedule(this, sweepMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        try {
            sweep(System.nanoTime());
        } finally {
            if (isRunning()) {
                schedule();
            }
        }
    }

    private void sweep(long now) {
        long acceptedBefore = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        Set<EndPoint> seen = new HashSet<>();
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            Connection connection = endPoint.getConnection();
            if (connection instanceof SslConnection tls) {
                // with HTTPS the parser belongs to the connection on the decrypted side
                connection = tls.getSslEndPoint().getConnection();
            }
            if (!(connection instanceof HttpConnection http)) {
                continue;
            }
            HttpParser parser = http.getParser();
            if (parser.isStart() && http.getMessagesIn() == 0) {
                if (endPoint.getCreatedTimeStamp() < acceptedBefore) { // accepted longer ago than the timeout
                    endPoint.close();
                }
                continue;
            }
            if (!parser.inHeaderState() || parser.isStart()) {
                continue;
            }
            seen.add(endPoint);
            Receiving was = receiving.get(endPoint);
            if (was == null || was.requests() != http.getMessagesIn()) {
                receiving.put(endPoint, new Receiving(now, http.getMessagesIn()));
            } else if (now - was.since() > timeoutNanos) {
                closed.increment();
                endPoint.close();
            }
        }
        receiving.keySet().retainAll(seen);
    }

    /** Connections closed so far because their headers were too slow. */
    long closed() {
        return closed.sum();
    }
}
