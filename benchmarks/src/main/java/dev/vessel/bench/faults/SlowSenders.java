package dev.vessel.bench.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connections that send one byte every few seconds, the classic slow attack: half of them trickle a request's
 * headers, half trickle a call's body after complete headers; or, {@link #silent}, connections that never send a
 * byte. One thread drives them all with non-blocking sockets; a trickling connection the node closes is opened
 * again at once, so the number held open stays as constant as the node allows; a silent one one interval later (at
 * once, a connection the node refuses on arrival would make a connect storm of it, a different attack).
 * Loopback only, from one source address, and only until {@link #close}.
 */
final class SlowSenders implements AutoCloseable {
    private static final byte[] HEADER_START = ("POST /v1/call/greeter/1.0.0/greeter/greet HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY_START = ("POST /v1/call/greeter/1.0.0/greeter/greet HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[\"")
            .getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress node;
    private final InetSocketAddress from;
    private final boolean silent;
    private final int connections;
    private final long intervalNanos;
    private final Selector selector;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread driver;
    private final PriorityQueue<Sender> due = new PriorityQueue<>((a, b) -> Long.compare(a.next, b.next));
    final LongAdder opened = new LongAdder();
    final LongAdder closedByNode = new LongAdder();
    final LongAdder answeredByNode = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    private volatile int open;

    private final class Sender {
        final boolean body;
        SocketChannel channel;
        long next;

        Sender(boolean body) {
            this.body = body;
        }
    }

    SlowSenders(int port, int connections, long intervalMillis) throws IOException {
        this(port, connections, intervalMillis, false, "127.0.0.1");
    }

    /** {@code silent}: connections that send nothing; all of them from the loopback address {@code from}. */
    SlowSenders(int port, int connections, long intervalMillis, boolean silent, String from) throws IOException {
        this.node = new InetSocketAddress("127.0.0.1", port);
        this.from = new InetSocketAddress(from, 0);
        this.silent = silent;
        this.connections = connections;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.selector = Selector.open();
        this.driver = new Thread(this::drive, "slow-senders");
        driver.setDaemon(true);
    }

    void start() {
        driver.start();
    }

    /** Connections currently open. */
    int open() {
        return open;
    }

    private void drive() {
        long now = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            Sender sender = new Sender(i % 2 == 1);
            // spread the first bytes over one interval, so the node sees a steady trickle, not bursts
            sender.next = now + intervalNanos * i / connections;
            due.add(sender);
        }
        ByteBuffer read = ByteBuffer.allocate(8192);
        while (running.get()) {
            try {
                long wait = due.isEmpty() ? 100 : Math.max(1, (due.peek().next - System.nanoTime()) / 1_000_000);
                selector.select(Math.min(wait, 100));
                for (SelectionKey key : selector.selectedKeys()) {
                    Sender sender = (Sender) key.attachment();
                    read.clear();
                    int n;
                    try {
                        n = sender.channel.read(read);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n > 0) {
                        answeredByNode.increment(); // a 408 or 503 before it closes the connection
                    } else if (n < 0) {
                        closedByNode.increment();
                        drop(sender);
                        due.remove(sender);
                        sender.next = System.nanoTime() + (silent ? intervalNanos : 0);
                        due.add(sender);
                    }
                }
                selector.selectedKeys().clear();
                long time = System.nanoTime();
                while (!due.isEmpty() && due.peek().next <= time) {
                    Sender sender = due.poll();
                    send(sender);
                    sender.next = time + intervalNanos;
                    due.add(sender);
                }
            } catch (IOException e) {
                throw new IllegalStateException("slow senders failed: " + e.getMessage(), e);
            }
        }
    }

    private void send(Sender sender) throws IOException {
        if (sender.channel == null) {
            SocketChannel channel = SocketChannel.open();
            channel.bind(from);
            try {
                channel.connect(node);
            } catch (IOException refused) {
                channel.close();
                closedByNode.increment();
                return;
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, sender);
            sender.channel = channel;
            opened.increment();
            open++;
            if (!silent) {
                write(sender, ByteBuffer.wrap(sender.body ? BODY_START : HEADER_START));
            }
            return;
        }
        if (!silent) {
            write(sender, ByteBuffer.wrap(new byte[] {'a'}));
        }
    }

    private void write(Sender sender, ByteBuffer bytes) {
        try {
            bytesSent.add(sender.channel.write(bytes));
        } catch (IOException closed) {
            closedByNode.increment();
            drop(sender);
        }
    }

    private void drop(Sender sender) {
        if (sender.channel != null) {
            try {
                sender.channel.close();
            } catch (IOException ignored) {
                // closing a connection the node already closed
            }
            sender.channel = null;
            open--;
        }
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        driver.join(5_000);
        for (Sender sender : due) {
            drop(sender);
        }
        selector.close();
    }
}
