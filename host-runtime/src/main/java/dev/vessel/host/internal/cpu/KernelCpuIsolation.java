package dev.vessel.host.internal.cpu;

import dev.vessel.host.ContainerId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * CPU isolation by the kernel: cgroup v1 {@code cpu} groups (weight {@code cpu.shares}, hard limit
 * {@code cpu.cfs_quota_us}) with their twins in {@code cpuacct} for the kernel's own accounting. Below this process's
 * own groups, so a node that runs inside a limited group stays inside that limit:
 *
 * <pre>
 * vessel, vessel/&lt;pid&gt;                the JVM among the machine's other processes (weight 1024 x cores)
 * vessel/&lt;pid&gt;/host                 every thread of the JVM that belongs to no container (weight 2048)
 * vessel/&lt;pid&gt;/n-&lt;node&gt;             one node's containers together: quota = the node's cores less its reserve
 * vessel/&lt;pid&gt;/n-&lt;node&gt;/&lt;id&gt;        one container: weight 1024 x its share, quota = its limit
 * </pre>
 *
 * The first node in a JVM moves the whole process into {@code host}; a container's threads then place themselves
 * in its group as they start, and threads they start inherit it. Groups of JVMs that no longer run (a node killed)
 * are removed by the next node that starts; the last node of a JVM to close puts the process back where it was.
 */
final class KernelCpuIsolation implements CpuIsolation {
    private static final long PERIOD_MICROS = 100_000;
    private static final int HOST_SHARES = 2048;
    private static final int SHARES_PER_CORE = 1024;
    private static final Pattern PID = Pattern.compile("[0-9]+");

    private static final Object JVM_LOCK = new Object();
    private static JvmGroups jvm;
    private static int users;

    private final JvmGroups groups;
    private final String nodeGroup;
    private final double capacity;
    private final String reason;
    private boolean closed;

    private KernelCpuIsolation(JvmGroups groups, String nodeGroup, double capacity, String reason) {
        this.groups = groups;
        this.nodeGroup = nodeGroup;
        this.capacity = capacity;
        this.reason = reason;
    }

    /** The isolation for node {@code nodeId}, or why the kernel cannot give it here. */
    static Attempt start(String nodeId, double capacity) {
        CgroupV1.Located located = CgroupV1.locate(Path.of("/proc"));
        if (located.failure() != null) {
            return Attempt.failed(located.failure());
        }
        JvmGroups acquired;
        try {
            acquired = acquire(located.hierarchies());
        } catch (IOException | RuntimeException e) {
            return Attempt.failed("cannot make control groups below " + located.hierarchies().cpu() + ": "
                    + describe(e));
        }
        // once a node of this JVM runs, the process is in its host group: groups go below where it was before
        CgroupV1 cgroups = acquired.cgroups();
        String nodeGroup = acquired.relative() + "/n-" + nodeId;
        try {
            for (Path dir : cgroups.both(nodeGroup)) {
                CgroupV1.remove(dir, acquired.host(dir)); // a node of that id that ran in this JVM before
                Files.createDirectory(dir);
            }
            Path cpu = cgroups.cpu().resolve(nodeGroup);
            CgroupV1.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
            CgroupV1.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota(capacity)));
        } catch (IOException | RuntimeException e) {
            release();
            return Attempt.failed("cannot make the node's control group " + nodeGroup + ": " + describe(e));
        }
        String where = cgroups.together() ? cgroups.cpu().toString() : cgroups.cpu() + " and " + cgroups.acct();
        return new Attempt(new KernelCpuIsolation(acquired, nodeGroup, capacity, "control groups below " + where),
                null);
    }

    private static String describe(Exception e) {
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied (" + e.getMessage()
                + "); cgroups need root or a delegated group" : e.toString();
    }

    private static long quota(double cores) {
        return Math.max(1_000, Math.round(cores * PERIOD_MICROS));
    }

    @Override
    public String mechanism() {
        return "cgroup-v1";
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public double capacity() {
        return capacity;
    }

    @Override
    public CpuGroup open(ContainerId id, CpuRequest request, ThreadGroup threads, IntSupplier demand) {
        String relative = nodeGroup + "/" + id;
        CgroupV1 cgroups = groups.cgroups();
        try {
            for (Path dir : cgroups.both(relative)) {
                CgroupV1.remove(dir, groups.host(dir)); // left by a container of this id that did not close
                Files.createDirectory(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the control group of " + id + ": " + e.getMessage(), e);
        }
        KernelGroup group = new KernelGroup(cgroups.cpu().resolve(relative), cgroups.acct().resolve(relative),
                new ThreadAccounting(threads), request);
        group.apply(request);
        return group;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Path dir : groups.cgroups().both(nodeGroup)) {
            try {
                CgroupV1.remove(dir, groups.host(dir));
            } catch (IOException e) {
                LOG.warn("cannot remove control group {}: {}", dir, e.toString());
            }
        }
        release();
    }

    /** One container's group. */
    private final class KernelGroup implements CpuGroup {
        private final Path cpu;
        private final Path acct;
        private final ThreadAccounting accounting;
        private volatile CpuRequest request;
        private volatile boolean placementFailed;
        /** What it had used when it closed: its group's counters go with the group. */
        private volatile CpuUse closedWith;

        KernelGroup(Path cpu, Path acct, ThreadAccounting accounting, CpuRequest request) {
            this.cpu = cpu;
            this.acct = acct;
            this.accounting = accounting;
            this.request = request;
        }

        @Override
        public void placeCurrentThread() {
            String thread = CgroupV1.currentThreadId();
            try {
                CgroupV1.write(cpu.resolve("tasks"), thread);
                if (!acct.equals(cpu)) {
                    CgroupV1.write(acct.resolve("tasks"), thread);
                }
            } catch (IOException e) {
                if (!placementFailed) { // the group was closed under a thread still starting; say so once
                    placementFailed = true;
                    LOG.warn("cannot place thread {} in control group {}: {}", thread, cpu, e.toString());
                }
            }
        }

        @Override
        public void apply(CpuRequest next) {
            try {
                CgroupV1.write(cpu.resolve("cpu.shares"), Long.toString(Math.max(2,
                        Math.round(SHARES_PER_CORE * next.effectiveShare()))));
                CgroupV1.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
                // a limit past the node's capacity is the capacity: the kernel refuses a child quota over its
                // parent's, and the node's containers together have that much anyway
                CgroupV1.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(next.limit() > 0
                        ? quota(Math.min(next.limit(), capacity)) : -1));
                request = next;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set the CPU of control group " + cpu + ": " + e.getMessage(),
                        e);
            }
        }

        @Override
        public boolean admits() {
            return true;
        }

        @Override
        public CpuUse use() {
            CpuUse last = closedWith;
            if (last != null) {
                return last;
            }
            long nanos = 0;
            long throttled = 0;
            try {
                nanos = Long.parseLong(CgroupV1.read(acct.resolve("cpuacct.usage")));
                for (String line : Files.readAllLines(cpu.resolve("cpu.stat"))) {
                    if (line.startsWith("nr_throttled ")) {
                        throttled = Long.parseLong(line.substring("nr_throttled ".length()).trim());
                    }
                }
            } catch (IOException | NumberFormatException gone) {
                // closed meanwhile: what it used is no longer counted anywhere
            }
            CpuRequest current = request;
            return new CpuUse(current.effectiveShare(), current.limit() > 0 ? Math.min(current.limit(), capacity)
                    : capacity, nanos,
                    accounting.sample(true).allocatedBytes(), throttled, 0);
        }

        @Override
        public void close() {
            closedWith = use();
            for (Path dir : acct.equals(cpu) ? List.of(cpu) : List.of(cpu, acct)) {
                try {
                    CgroupV1.remove(dir, groups.host(dir));
                } catch (IOException e) {
                    LOG.warn("cannot remove control group {}: {}", dir, e.toString());
                }
            }
        }
    }

    /** This JVM's groups: {@code vessel/<pid>} below the process's own, shared by every node the JVM runs. */
    private record JvmGroups(CgroupV1 cgroups, String relative) {
        /** The {@code host} group in the hierarchy {@code dir} belongs to. */
        Path host(Path dir) {
            Path root = dir.startsWith(cgroups.cpu()) ? cgroups.cpu() : cgroups.acct();
            return root.resolve(relative).resolve("host");
        }
    }

    private static JvmGroups acquire(CgroupV1 located) throws IOException {
        synchronized (JVM_LOCK) {
            CgroupV1 cgroups = jvm != null ? jvm.cgroups() : located;
            for (Path parent : cgroups.both("vessel")) { // every node that starts, not only a JVM's first
                Files.createDirectories(parent);
                removeStale(parent);
            }
            if (jvm == null) {
                String pid = Long.toString(ProcessHandle.current().pid());
                String relative = "vessel/" + pid;
                for (Path host : cgroups.both(relative + "/host")) {
                    Files.createDirectories(host);
                }
                CgroupV1.write(cgroups.cpu().resolve(relative + "/host/cpu.shares"), Integer.toString(HOST_SHARES));
                // a process's threads each weigh 1024 against the other processes' where they were; moved into a
                // group, the whole JVM would weigh as one thread: the group weighs as many threads as there are cores
                String processWeight = Integer.toString(SHARES_PER_CORE * Runtime.getRuntime().availableProcessors());
                CgroupV1.write(cgroups.cpu().resolve("vessel/cpu.shares"), processWeight);
                CgroupV1.write(cgroups.cpu().resolve(relative + "/cpu.shares"), processWeight);
                for (Path host : cgroups.both(relative + "/host")) {
                    CgroupV1.write(host.resolve("cgroup.procs"), pid);
                }
                jvm = new JvmGroups(cgroups, relative);
            }
            users++;
            return jvm;
        }
    }

    private static void release() {
        synchronized (JVM_LOCK) {
            if (--users > 0 || jvm == null) {
                return;
            }
            String pid = Long.toString(ProcessHandle.current().pid());
            CgroupV1 cgroups = jvm.cgroups();
            for (Path own : cgroups.together() ? List.of(cgroups.cpu()) : List.of(cgroups.cpu(), cgroups.acct())) {
                try {
                    CgroupV1.write(own.resolve("cgroup.procs"), pid);
                    CgroupV1.remove(own.resolve(jvm.relative()), null);
                } catch (IOException e) {
                    LOG.warn("cannot return the process to control group {}: {}", own, e.toString());
                }
            }
            jvm = null;
        }
    }

    /** Removes the groups of JVMs that no longer run: a node killed leaves its groups behind, empty. */
    private static void removeStale(Path parent) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (PID.matcher(name).matches() && ProcessHandle.of(Long.parseLong(name)).isEmpty()) {
                    stale.add(entry);
                }
            }
        }
        for (Path group : stale) {
            try {
                CgroupV1.remove(group, null);
                LOG.info("removed control group {} of a process that no longer runs", group);
            } catch (IOException e) {
                LOG.warn("cannot remove stale control group {}: {}", group, e.toString());
            }
        }
    }

    /** The isolation, or why not. */
    record Attempt(KernelCpuIsolation isolation, String failure) {
        static Attempt failed(String why) {
            return new Attempt(null, why);
        }

        CpuIsolation orElseGet(Function<String, CpuIsolation> fallback) {
            return isolation != null ? isolation : fallback.apply(failure);
        }

        CpuIsolation orElseThrow(Function<String, RuntimeException> error) {
            if (isolation == null) {
                throw error.apply(failure);
            }
            return isolation;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "cgroup-v1 %s (%.2f cores)", nodeGroup, capacity);
    }
}
