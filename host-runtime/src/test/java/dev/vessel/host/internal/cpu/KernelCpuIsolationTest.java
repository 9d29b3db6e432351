package dev.vessel.host.internal.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vessel.host.ContainerId;
import dev.vessel.host.CpuIsolationMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's control groups, on this machine's real cgroup v1 hierarchies: limits held by the kernel's own
 * accounting, threads placed and inherited, groups removed when closed and when their process is gone.
 */
class KernelCpuIsolationTest {
    private CgroupV1 cgroups;
    private CpuIsolation isolation;
    private final String node = "cpu-test-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void kernelIsolationIsAvailable() {
        CgroupV1.Located located = CgroupV1.locate(Path.of("/proc"));
        assumeTrue(located.failure() == null, () -> "no cgroup v1 cpu hierarchy here: " + located.failure());
        cgroups = located.hierarchies();
        isolation = CpuIsolation.start(CpuIsolationMode.KERNEL, node, 0.25);
    }

    @AfterEach
    void close() {
        if (isolation != null) {
            isolation.close();
        }
    }

    private Path jvmGroup(Path hierarchy) {
        return hierarchy.resolve("vessel").resolve(Long.toString(ProcessHandle.current().pid()));
    }

    private Path group(Path hierarchy, ContainerId id) {
        return jvmGroup(hierarchy).resolve("n-" + node).resolve(id.toString());
    }

    @Test
    void aLimitOfHalfACoreIsHeldByTheKernelsOwnAccounting() throws Exception {
        ContainerId id = ContainerId.of("burner", "1.0.0");
        ThreadGroup threads = new ThreadGroup("burner");
        try (CpuGroup cpu = isolation.open(id, new CpuRequest(0, 0.5), threads);
                Spinners spinners = new Spinners(threads, cpu, 2)) {
            Path usage = group(cgroups.acct(), id).resolve("cpuacct.usage");
            long before = Long.parseLong(CgroupV1.read(usage));
            long start = System.nanoTime();
            TimeUnit.SECONDS.sleep(3); // the window the kernel's accounting is read over, not a wait for an event
            long used = Long.parseLong(CgroupV1.read(usage)) - before;
            double cores = (double) used / (System.nanoTime() - start);
            assertThat(cores).as("cores used by two spinning threads limited to 0.5").isBetween(0.05, 0.55);
            CpuUse use = cpu.use();
            assertThat(use.limit()).isEqualTo(0.5);
            assertThat(use.throttled()).as("periods the kernel throttled the group").isPositive();
            assertThat(use.cpuNanos()).isGreaterThanOrEqualTo(used);
        }
    }

    @Test
    void threadsAPlacedThreadStartsAreInItsGroupAndAShareOrLimitChangesLive() throws Exception {
        ContainerId id = ContainerId.of("spawner", "1.0.0");
        ThreadGroup threads = new ThreadGroup("spawner");
        try (CpuGroup cpu = isolation.open(id, CpuRequest.DEFAULT, threads)) {
            // a placed thread starts one of its own, which reads its group's threads and its own id while it runs
            AtomicReference<String> child = new AtomicReference<>();
            AtomicReference<List<String>> tasksWhileRunning = new AtomicReference<>();
            Thread placed = new Thread(threads, () -> {
                cpu.placeCurrentThread();
                Thread started = new Thread(() -> {
                    try {
                        tasksWhileRunning.set(CgroupV1.tasks(group(cgroups.cpu(), id)));
                        child.set(CgroupV1.currentThreadId());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                started.start();
                try {
                    started.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            placed.start();
            placed.join();
            assertThat(child.get()).isNotNull();
            assertThat(tasksWhileRunning.get()).contains(child.get());

            assertThat(CgroupV1.read(group(cgroups.cpu(), id).resolve("cpu.shares"))).isEqualTo("1024");
            assertThat(CgroupV1.read(group(cgroups.cpu(), id).resolve("cpu.cfs_quota_us"))).isEqualTo("-1");
            cpu.apply(new CpuRequest(1, 1.5));
            assertThat(CgroupV1.read(group(cgroups.cpu(), id).resolve("cpu.shares"))).isEqualTo("1024");
            assertThat(CgroupV1.read(group(cgroups.cpu(), id).resolve("cpu.cfs_quota_us"))).isEqualTo(
                    Long.toString(Math.round(Math.min(1.5, isolation.capacity()) * 100_000)));
            cpu.apply(new CpuRequest(2, 64)); // more cores than the machine has: held to the node's capacity
            assertThat(CgroupV1.read(group(cgroups.cpu(), id).resolve("cpu.shares"))).isEqualTo("2048");
            assertThat(CgroupV1.read(group(cgroups.cpu(), id).resolve("cpu.cfs_quota_us"))).isEqualTo(
                    Long.toString(Math.round(isolation.capacity() * 100_000)));
            assertThat(cpu.use().limit()).isEqualTo(isolation.capacity());
        }
    }

    @Test
    void closingAGroupRemovesItAndSendsThreadsLeftInItToTheHostGroup() throws Exception {
        ContainerId id = ContainerId.of("leaver", "1.0.0");
        ThreadGroup threads = new ThreadGroup("leaver");
        CpuGroup cpu = isolation.open(id, CpuRequest.DEFAULT, threads);
        assertThat(group(cgroups.cpu(), id)).isDirectory();
        assertThat(group(cgroups.acct(), id)).isDirectory();
        try (Spinners leftover = new Spinners(threads, cpu, 1)) {
            List<String> placed = CgroupV1.tasks(group(cgroups.cpu(), id));
            assertThat(placed).hasSize(1);
            cpu.close();
            assertThat(group(cgroups.cpu(), id)).doesNotExist();
            assertThat(group(cgroups.acct(), id)).doesNotExist();
            assertThat(CgroupV1.tasks(jvmGroup(cgroups.cpu()).resolve("host"))).containsAll(placed);
        }
        isolation.close();
        isolation = null;
        assertThat(jvmGroup(cgroups.cpu()).resolve("n-" + node)).doesNotExist();
    }

    @Test
    void groupsOfAProcessKilledWithoutClosingAreRemovedByTheNextNodeThatStarts() throws Exception {
        // a process started from a node's JVM would be in that node's host group: start it as a sibling instead
        isolation.close();
        isolation = null;
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), CgroupChild.class.getName(), "killed-node")
                .redirectErrorStream(true).start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = output.readLine()) != null && !line.equals(CgroupChild.READY)) {
                // its log
            }
            assertThat(line).as("the child made its groups").isEqualTo(CgroupChild.READY);
            Path childGroups = cgroups.cpu().resolve("vessel").resolve(Long.toString(child.pid()));
            assertThat(childGroups.resolve("n-killed-node").resolve("burner-1.0.0")).isDirectory();
            child.destroyForcibly(); // SIGKILL: nothing of the child closes anything
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            try (CpuIsolation next = CpuIsolation.start(CpuIsolationMode.KERNEL, "next-node", 0.25)) {
                assertThat(next.mechanism()).isEqualTo("cgroup-v1");
                assertThat(childGroups).doesNotExist();
                assertThat(cgroups.acct().resolve("vessel").resolve(Long.toString(child.pid()))).doesNotExist();
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aSecondNodeInTheSameProcessHasItsGroupBesideTheFirstNotBelowTheHostGroup() throws Exception {
        try (CpuIsolation second = CpuIsolation.start(CpuIsolationMode.KERNEL, node + "-second", 0.25)) {
            assertThat(second.mechanism()).isEqualTo("cgroup-v1");
            assertThat(jvmGroup(cgroups.cpu()).resolve("n-" + node + "-second")).isDirectory();
            assertThat(jvmGroup(cgroups.cpu()).resolve("n-" + node)).isDirectory();
            assertThat(CgroupV1.read(jvmGroup(cgroups.cpu()).resolve("n-" + node + "-second")
                    .resolve("cpu.cfs_quota_us"))).isEqualTo(Long.toString(Math.round((Runtime.getRuntime()
                            .availableProcessors() - 0.25) * 100_000)));
        }
        assertThat(jvmGroup(cgroups.cpu()).resolve("n-" + node + "-second")).doesNotExist();
        assertThat(jvmGroup(cgroups.cpu()).resolve("host")).isDirectory(); // the first node still runs
    }

    @Test
    void theLastIsolationOfTheProcessToCloseReturnsTheProcessToItsOwnGroup() throws Exception {
        String own = Files.readString(Path.of("/proc/self/cgroup"));
        assertThat(CgroupV1.tasks(jvmGroup(cgroups.cpu()).resolve("host")))
                .contains(Long.toString(ProcessHandle.current().pid()));
        isolation.close();
        isolation = null;
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(jvmGroup(cgroups.cpu())));
        assertThat(jvmGroup(cgroups.acct())).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/cgroup"))).isNotEqualTo(own)
                .doesNotContain("/vessel/");
    }
}
