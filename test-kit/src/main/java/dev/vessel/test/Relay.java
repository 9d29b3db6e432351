package dev.vessel.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay from a loopback port of its own to a target port, which keeps its port while the target changes (a
 * restarted node serves on a new port) and can be frozen: while frozen it moves no byte either way and connects
 * nothing new, so both sides see what a process stopped by SIGSTOP looks like from outside (connections accepted and
 * open, nothing read, nothing answered); after a thaw everything held goes on. While {@link #shut} its port refuses
 * connections, as a killed process's does.
 */
final class Relay implements AutoCloseable {
    private final String name;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean frozen; // guarded by gate
    private boolean closed; // guarded by gate
    private int port;
    private ServerSocket server;
    private volatile int targetPort; // written under gate

    Relay(String name) {
        this.name = name;
    }

    /** Starts relaying to {@code targetPort}: on a new loopback port the first time, on the same port after that. */
    synchronized void listen(int targetPort) {
        if (server != null) {
            throw new IllegalStateException(this + " is already listening");
        }
        target(targetPort);
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            server = socket;
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + (port == 0 ? "a loopback port" : "port " + port)
                    + " for " + name, e);
        }
        ServerSocket listening = server;
        start(() -> accept(listening), "accept");
    }

    /** The relay's port (0 before the first {@link #listen}). */
    synchronized int port() {
        return port;
    }

    /** Stops listening (the port refuses connections) and cuts every connection through the relay. */
    void shut() {
        ServerSocket listening;
        synchronized (this) {
            listening = server;
            server = null;
        }
        if (listening != null) {
            try {
                listening.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    boolean frozen() {
        synchronized (gate) {
            return frozen;
        }
    }

    /** Sets where connections go (0: nowhere yet, they wait). */
    void target(int port) {
        synchronized (gate) {
            targetPort = port;
            gate.notifyAll();
        }
    }

    /** Returns once the relay is thawed and has a target; throws once it is closed. */
    private void awaitThawed() throws InterruptedException {
        synchronized (gate) {
            while ((frozen || targetPort == 0) && !closed) {
                gate.wait();
            }
            if (closed) {
                throw new InterruptedException("the relay is closed");
            }
        }
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return; // shut
            }
            sockets.add(client);
            start(() -> connect(client), "connect");
        }
    }

    private void connect(Socket client) {
        Socket target = new Socket();
        sockets.add(target);
        try {
            awaitThawed();
            target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
            client.setTcpNoDelay(true);
            target.setTcpNoDelay(true);
        } catch (IOException | InterruptedException e) {
            // the target is not there: the client sees its connection end
            closeQuietly(client);
            closeQuietly(target);
            return;
        }
        AtomicInteger open = new AtomicInteger(2);
        start(() -> pump(client, target, open), "up");
        pump(target, client, open);
    }

    /** Moves bytes one way until its end; the connection is closed once both ways ended. */
    private void pump(Socket from, Socket to, AtomicInteger open) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitThawed();
                out.write(buffer, 0, n);
            }
            awaitThawed();
            to.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            closeQuietly(from); // one side went away, or the relay was shut: so does the other
            closeQuietly(to);
            return;
        }
        if (open.decrementAndGet() == 0) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void start(Runnable work, String what) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, "vessel-test-relay-" + name + "-" + what);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.remove(socket);
    }

    /** Shuts the relay and waits for its threads to end. */
    @Override
    public void close() {
        synchronized (gate) {
            closed = true;
            gate.notifyAll();
        }
        shut();
        try {
            for (Thread thread : threads) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " relay on 127.0.0.1:" + port() + " to port " + targetPort + (frozen() ? " (frozen)" : "");
    }
}
