package dev.vessel.bench.quorum;

import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.bench.NodeProcess;
import dev.vessel.deploy.AdminClient;
import dev.vessel.host.QuorumStatus;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.router.VesselClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;

/**
 * The quorum the nodes run, measured from outside against node processes on loopback. Quorum nodes q1..q4 host
 * no release; a worker node (no member) runs greeter, so killing a member tests ZooKeeper, not greeter. Throughout,
 * a paced {@code VesselClient} calls greeter (2 threads, one call per 5 ms each) and a writer makes a registry
 * write every 20 ms as the nodes' identity. In one run:
 *
 * <ol>
 *   <li>grow: q1 founds the quorum, q2 and q3 join; timed until 3 voters, with the time writes failed;</li>
 *   <li>replace: q4 joins (an observer), a follower voter is killed with SIGKILL; timed until q4 votes instead;</li>
 *   <li>leader: the ZooKeeper leader's node is killed with SIGKILL; timed until writes succeed again;</li>
 * </ol>
 * and the registry's persistent records (deployments, releases) and greeter's registration compared before
 * and after. Usage: {@code QuorumBenchmark <releases dir> [stabilization s] [removal threshold s] [tls|recover]};
 * with {@code tls} every node serves HTTPS and its quorum member TLS (peers and clients), and every session uses it.
 *
 * <p>With {@code recover}, instead: q1, q2 and q3 make three voters; q2 and q3 are killed with SIGKILL for good
 * (their data deleted), so writes fail; {@code POST /v1/admin/quorum/recover} on q1 ({@code vessel quorum recover});
 * timed until writes succeed again; then q5 and q6 join, timed until there are three voters again; the persistent
 * records compared before and after, calls counted throughout.
 */
public final class QuorumBenchmark {
    private static final String TOKEN = "benchmark-token-0123456789abcdef";

    private final Path dir;
    private final long stabilization;
    private final long removal;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Integer> clientPorts = new LinkedHashMap<>();

    /** The stores when the run is over TLS, else null. */
    private final dev.vessel.host.SelfSignedTls.Files tls;

    private QuorumBenchmark(Path dir, long stabilization, long removal, boolean tls) throws IOException {
        this.dir = dir;
        this.stabilization = stabilization;
        this.removal = removal;
        this.tls = tls ? dev.vessel.host.SelfSignedTls.generate(dir.resolve("tls"), List.of("127.0.0.1")) : null;
        if (tls) {
            Files.writeString(dir.resolve("tls").resolve("passwords.properties"), "key=" + this.tls.keyStorePassword()
                    + "\ntrust=" + this.tls.trustStorePassword() + "\n");
        }
    }

    private CuratorFrameworkFactory.Builder session(String connectString) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder().connectString(connectString);
        if (tls != null) {
            builder.zkClientConfig(registryTls().clientConfig());
        }
        return builder;
    }

    private dev.vessel.registry.RegistryTls registryTls() {
        return new dev.vessel.registry.RegistryTls(tls.trustStore(), tls.trustStorePassword());
    }

    public static void main(String[] args) throws Exception {
        Path releases = Path.of(args[0]);
        long stabilization = Long.parseLong(args.length > 1 ? args[1] : "10");
        long removal = Long.parseLong(args.length > 2 ? args[2] : "30");
        boolean tls = args.length > 3 && args[3].equals("tls");
        boolean recover = args.length > 3 && args[3].equals("recover");
        QuorumBenchmark bench = new QuorumBenchmark(Files.createTempDirectory("vessel-quorum"), stabilization, removal,
                tls);
        try {
            if (recover) {
                bench.recover(releases);
            } else {
                bench.run(releases);
            }
        } finally {
            bench.stopAll();
        }
    }

    private void run(Path releases) throws Exception {
        start("q1", "found", null);
        String founder = "127.0.0.1:" + clientPorts.get("q1");
        URI worker = start("worker", null, founder);
        javax.net.ssl.SSLContext https = tls == null ? null
                : dev.vessel.registry.TlsTrust.context(tls.trustStore(), tls.trustStorePassword());
        deployGreeter(new AdminClient(worker, TOKEN, https), releases);
        VesselClient.Builder calls = VesselClient.builder().connectString(founder)
                .readerSecret(RegistryCredentials.readerSecret(TOKEN));
        if (tls != null) {
            calls.tls(https).registryTls(registryTls());
        }
        try (VesselClient client = calls.build();
                CuratorFramework writer = writer(founder);
                CuratorFramework registry = reader(founder)) {
            awaitGreeter(client);
            Map<String, String> before = persistent(registry);
            Load load = new Load(client, writer);
            load.start();
            Thread.sleep(3_000); // steady load on a one-member quorum first

            // 1. grow 1 -> 3
            Window grow = load.window();
            long growStart = System.nanoTime();
            start("q2", "join", founder);
            start("q3", "join", founder);
            awaitVoters(registry, 3, -1, 180);
            double growSeconds = (System.nanoTime() - growStart) / 1e9;
            Thread.sleep(2_000);
            Window grown = grow.close();
            System.out.println("grown: " + QuorumStatus.read(registry, "/vessel").members());

            // 2. a dead voter replaced
            start("q4", "join", founder);
            awaitMembers(registry, 4, 120);
            QuorumStatus.Member followerMember = member(registry, "follower");
            String follower = followerMember.node();
            Window replace = load.window();
            long killed = System.nanoTime();
            System.out.println("killing the follower " + follower);
            kill(follower);
            String spare = "q4";
            awaitVoters(registry, 3, followerMember.id(), 300);
            double replaceSeconds = (System.nanoTime() - killed) / 1e9;
            Window replaced = replace.close();
            System.out.println("after the replacement: " + QuorumStatus.read(registry, "/vessel").members());

            // 3. the ZooKeeper leader killed
            String leader = member(registry, "leader").node();
            System.out.println("killing the leader " + leader);
            Window leaderKill = load.window();
            long leaderKilled = System.nanoTime();
            long lastFailBefore = load.lastFailure.get();
            kill(leader);
            Thread.sleep(15_000); // writes resume; then keep measuring a while
            Window afterLeader = leaderKill.close();
            long lastFail = load.lastFailure.get();
            double writesBackSeconds = lastFail > lastFailBefore && lastFail > leaderKilled
                    ? (lastFail - leaderKilled) / 1e9 : 0;
            load.stop();
            Map<String, String> after = persistent(registry);

            System.out.printf(Locale.ROOT, "stabilization %d s, removal threshold %d s, tickTime 500 ms%s%n%n",
                    stabilization, removal, tls != null ? ", TLS everywhere" : "");
            System.out.println("| phase | took s | writes | failed writes | writes failing s | calls | failed calls |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.println(grown.row("grow 1 -> 3 voters", growSeconds));
            System.out.println(replaced.row("voter " + follower + " killed -> " + spare + " votes", replaceSeconds));
            System.out.println(afterLeader.row("leader " + leader + " killed (15 s measured)", writesBackSeconds));
            System.out.printf(Locale.ROOT, "replacement after the detection threshold: %.1f s; writes back after the"
                    + " leader kill: %.1f s (last failed write after the kill)%n", replaceSeconds - removal,
                    writesBackSeconds);
            System.out.println("deployments and releases before == after: " + before.equals(after) + " ("
                    + before.size() + " records); greeter registered: " + client.instances("greeter").size());
        }
    }

    /** Two of three voters lost for good, the quorum re-founded from the third and grown back. */
    private void recover(Path releases) throws Exception {
        URI q1 = start("q1", "found", null);
        String founder = "127.0.0.1:" + clientPorts.get("q1");
        URI worker = start("worker", null, founder);
        deployGreeter(new AdminClient(worker, TOKEN), releases);
        start("q2", "join", founder);
        start("q3", "join", founder);
        try (VesselClient client = VesselClient.builder().connectString(founder)
                        .readerSecret(RegistryCredentials.readerSecret(TOKEN)).build();
                CuratorFramework writer = writer(founder);
                CuratorFramework registry = reader(founder)) {
            awaitVoters(registry, 3, -1, 180);
            awaitGreeter(client);
            Map<String, String> before = persistent(registry);
            Load load = new Load(client, writer);
            load.start();
            Thread.sleep(3_000); // steady load on three voters first

            Window lost = load.window();
            for (String name : List.of("q2", "q3")) {
                kill(name);
                try (var files = Files.walk(dir.resolve(name))) { // for good: the data goes too
                    for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
            long killed = System.nanoTime();
            Thread.sleep(10_000); // the majority stays lost a while: writes fail throughout
            long recoverStart = System.nanoTime();
            dev.vessel.protocol.admin.AdminAnswers.QuorumRecovered recovered = new AdminClient(q1, TOKEN)
                    .recoverQuorum();
            double recoverCall = (System.nanoTime() - recoverStart) / 1e9;
            long lastFailBefore = load.lastFailure.get();
            Thread.sleep(30_000); // writes resume within this, the target
            long lastFail = load.lastFailure.get();
            double writableAfter = (Math.max(lastFail, recoverStart) - recoverStart) / 1e9;
            Window recoveredWindow = lost.close();

            Window grow = load.window();
            long growStart = System.nanoTime();
            start("q5", "join", founder);
            start("q6", "join", founder);
            awaitVoters(registry, 3, -1, 180);
            double growSeconds = (System.nanoTime() - growStart) / 1e9;
            Window grown = grow.close();
            load.stop();
            Map<String, String> after = persistent(registry);

            System.out.printf(Locale.ROOT, "stabilization %d s, removal threshold %d s, tickTime 500 ms%n%n",
                    stabilization, removal);
            System.out.println("recovered: " + recovered);
            System.out.println("| phase | took s | writes | failed writes | writes failing s | calls | failed calls |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.println(recoveredWindow.row("2 of 3 voters killed, 10 s, recover, 30 s", (recoverStart
                    - killed) / 1e9 + recoverCall + writableAfter));
            System.out.println(grown.row("q5, q6 join -> 3 voters", growSeconds));
            System.out.printf(Locale.ROOT, "recover call answered in %.1f s; writable again %.1f s after it was"
                    + " asked (last failed write %s)%n", recoverCall, writableAfter,
                    lastFail > lastFailBefore ? "after the call" : "before the call");
            System.out.println("deployments and releases before == after: " + before.equals(after) + " ("
                    + before.size() + " records); greeter registered: " + client.instances("greeter").size());
        }
    }

    /** greeter 1.0.0 released and deployed on the worker node only. */
    private static void deployGreeter(AdminClient admin, Path releases) {
        AdminClient.Uploaded jar = admin.upload(releases.resolve("greeter-1.0.0.jar"), 1 << 20, (f, s, t, b) -> { });
        ReleaseManifest release = admin.createRelease(List.of(jar), null, false, false, "benchmark");
        admin.change(release.service(), new DeploymentChange("deploy", release.version(), 100, "worker", null, null,
                "benchmark"));
    }

    /** A session writing as the nodes, retrying once, so that a failed write shows. */
    private CuratorFramework writer(String connectString) throws InterruptedException {
        return started(session(connectString).retryPolicy(new RetryOneTime(100))
                .authorization("digest", RegistryCredentials.forNodes(TOKEN).authInfo()).build());
    }

    /** The harness's own reading session, retrying until its reads get through. */
    private CuratorFramework reader(String connectString) throws InterruptedException {
        return started(session(connectString)
                .retryPolicy(new org.apache.curator.retry.ExponentialBackoffRetry(200, 29, 2_000))
                .authorization("digest", RegistryCredentials.forReader(RegistryCredentials.readerSecret(TOKEN))
                        .authInfo()).build());
    }

    private static CuratorFramework started(CuratorFramework session) throws InterruptedException {
        session.start();
        session.blockUntilConnected(30, TimeUnit.SECONDS);
        return session;
    }

    private static void awaitGreeter(VesselClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.instances("greeter").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50); // harness polling the client's own table
        }
    }

    /** Deployments and releases: what must never be lost. */
    private static Map<String, String> persistent(CuratorFramework registry) throws Exception {
        Map<String, String> all = new TreeMap<>();
        for (String root : List.of("/vessel/deployments", "/vessel/releases")) {
            collect(registry, root, all);
        }
        return all;
    }

    private static void collect(CuratorFramework registry, String path, Map<String, String> into) throws Exception {
        byte[] data = registry.getData().forPath(path);
        into.put(path, data == null ? "" : new String(data, StandardCharsets.UTF_8));
        for (String child : registry.getChildren().forPath(path)) {
            collect(registry, path + "/" + child, into);
        }
    }

    /** Calls and writes for as long as the benchmark runs; windows count what happened within them. */
    private static final class Load {
        private final VesselClient client;
        private final CuratorFramework registry;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final LongAdder calls = new LongAdder();
        final LongAdder failedCalls = new LongAdder();
        final LongAdder writes = new LongAdder();
        final LongAdder failedWrites = new LongAdder();
        final AtomicLong failingNanos = new AtomicLong();
        final AtomicLong lastFailure = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();

        Load(VesselClient client, CuratorFramework registry) {
            this.client = client;
            this.registry = registry;
        }

        void start() {
            for (int i = 0; i < 2; i++) {
                threads.add(new Thread(this::call, "calls-" + i));
            }
            threads.add(new Thread(this::write, "writes"));
            threads.forEach(Thread::start);
        }

        private void call() {
            long next = System.nanoTime();
            while (running.get()) {
                try {
                    client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
                } catch (RuntimeException e) {
                    failedCalls.increment();
                }
                calls.increment();
                next += TimeUnit.MILLISECONDS.toNanos(5);
                java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime()); // the client's pace
            }
        }

        private void write() {
            long failingSince = 0;
            while (running.get()) {
                long start = System.nanoTime();
                try {
                    registry.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                            .forPath("/vessel/bench-writes/w-");
                    if (failingSince != 0) {
                        failingNanos.addAndGet(System.nanoTime() - failingSince);
                        failingSince = 0;
                    }
                } catch (Exception e) {
                    failedWrites.increment();
                    lastFailure.set(System.nanoTime());
                    if (failingSince == 0) {
                        failingSince = start;
                    }
                }
                writes.increment();
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the pace
            }
        }

        Window window() {
            return new Window(this, calls.sum(), failedCalls.sum(), writes.sum(), failedWrites.sum(),
                    failingNanos.get());
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    private record Window(Load load, long calls, long failedCalls, long writes, long failedWrites, long failingNanos) {
        Window close() {
            return new Window(load, load.calls.sum() - calls, load.failedCalls.sum() - failedCalls,
                    load.writes.sum() - writes, load.failedWrites.sum() - failedWrites,
                    load.failingNanos.get() - failingNanos);
        }

        String row(String name, double seconds) {
            return String.format(Locale.ROOT, "| %s | %.1f | %d | %d | %.1f | %d | %d |", name, seconds, writes,
                    failedWrites, failingNanos / 1e9, calls, failedCalls);
        }
    }

    private QuorumStatus.Member member(CuratorFramework registry, String mode) throws Exception {
        for (QuorumStatus.Member m : QuorumStatus.read(registry, "/vessel").members()) {
            if (m.mode().equals(mode)) {
                return m;
            }
        }
        throw new IllegalStateException("no member is " + mode);
    }

    /** Until the configuration has {@code voters} voters, none of them server {@code without} (-1: any). */
    private void awaitVoters(CuratorFramework registry, int voters, long without, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                List<QuorumStatus.Member> members = QuorumStatus.read(registry, "/vessel").members();
                long count = members.stream().filter(m -> m.role().equals("participant")).count();
                // by server id: a killed member's registration (and so its node name) is gone
                boolean gone = members.stream().noneMatch(m -> m.id() == without && !m.role().equals("joining"));
                if (count == voters && gone) {
                    return;
                }
            } catch (Exception e) {
                // the quorum may be electing: ask again
            }
            Thread.sleep(100); // the harness polls the quorum's configuration
        }
        throw new IllegalStateException("no " + voters + " voters within " + seconds + " s");
    }

    private void awaitMembers(CuratorFramework registry, int members, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (QuorumStatus.read(registry, "/vessel").members().stream().filter(m -> !m.role().equals("joining"))
                    .count() >= members) {
                return;
            }
            Thread.sleep(100); // the harness polls the quorum's configuration
        }
        throw new IllegalStateException("no " + members + " members within " + seconds + " s");
    }

    private URI start(String name, String quorum, String zk) throws Exception {
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "-Dvessel.bench.tls=" + (tls == null ? "" : dir.resolve("tls")), NodeProcess.class.getName(),
                zk == null ? "" : zk, dir.resolve(name).toString(), name, "0", "true", TOKEN));
        if (quorum != null) {
            int port = freePort();
            clientPorts.put(name, port);
            command.addAll(List.of(quorum, Integer.toString(port), Long.toString(stabilization),
                    Long.toString(removal)));
        } else {
            command.add("secure");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.put(name, process);
        return NodeProcess.awaitReady(process, log);
    }

    private void kill(String name) throws Exception {
        Process process = processes.get(name);
        new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).inheritIO().start().waitFor();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void stopAll() throws InterruptedException {
        for (Process p : processes.values()) {
            p.destroy();
        }
        for (Process p : processes.values()) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
