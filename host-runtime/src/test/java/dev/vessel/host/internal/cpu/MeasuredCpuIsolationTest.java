package dev.vessel.host.internal.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.ContainerId;
import dev.vessel.host.CpuIsolationMode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admission by measured CPU, with real threads computing: a container over its budget is refused new calls while
 * a quiet neighbour is not, and its use is counted from its own threads.
 */
class MeasuredCpuIsolationTest {
    private CpuIsolation isolation;

    @AfterEach
    void close() {
        if (isolation != null) {
            isolation.close();
        }
    }

    @Test
    void aContainerOverItsLimitIsRefusedNewCallsAndComesBackOnceItIsUnder() throws Exception {
        isolation = new MeasuredCpuIsolation(1.5, "test");
        ThreadGroup burning = new ThreadGroup("burning");
        ThreadGroup quiet = new ThreadGroup("quiet");
        CpuGroup burner = isolation.open(ContainerId.of("burner", "1.0.0"), new CpuRequest(0, 0.3), burning);
        CpuGroup neighbour = isolation.open(ContainerId.of("greeter", "1.0.0"), CpuRequest.DEFAULT, quiet);
        try (Spinners spinners = new Spinners(burning, burner, 1)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !burner.admits());
            assertThat(neighbour.admits()).isTrue();
            assertThat(burner.use().refused()).isPositive();
            assertThat(burner.use().cpuNanos()).isPositive();
            assertThat(burner.use().limit()).isEqualTo(0.3);
        }
        await().atMost(Duration.ofSeconds(10)).until(burner::admits);
        assertThat(neighbour.use().refused()).isZero();
    }

    @Test
    void withoutLimitsAContainerPastItsShareOfABusyNodeIsRefusedWhileAModestNeighbourIsNot() throws Exception {
        isolation = new MeasuredCpuIsolation(1.0, "test");
        ThreadGroup hungry = new ThreadGroup("hungry");
        ThreadGroup modest = new ThreadGroup("modest");
        CpuGroup big = isolation.open(ContainerId.of("hungry", "1.0.0"), CpuRequest.DEFAULT, hungry);
        CpuGroup small = isolation.open(ContainerId.of("modest", "1.0.0"), CpuRequest.DEFAULT, modest);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread occasional = new Thread(modest, () -> { // computes a tenth of the time: about 0.1 core
            while (running.get()) {
                long end = System.nanoTime() + 10_000_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                LockSupport.parkNanos(90_000_000);
            }
        }, "occasional");
        occasional.start();
        try (Spinners spinners = new Spinners(hungry, big, 2)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !big.admits());
            assertThat(small.admits()).isTrue();
            assertThat(small.use().cpuNanos()).isPositive();
        } finally {
            running.set(false);
            occasional.join();
        }
        await().atMost(Duration.ofSeconds(10)).until(big::admits);
    }

    @Test
    void theFallbackIsWhatAutomaticModeChoosesWhenTheKernelCannotBeUsedAndItSaysWhy() {
        isolation = CpuIsolation.start(CpuIsolationMode.MEASURED, "measured-node", 0.25);
        assertThat(isolation.mechanism()).isEqualTo("measured");
        assertThat(isolation.reason()).contains("measured");
        assertThat(isolation.capacity()).isEqualTo(Runtime.getRuntime().availableProcessors() - 0.25);
        try (CpuIsolation off = CpuIsolation.start(CpuIsolationMode.OFF, "off-node", 0.25)) {
            assertThat(off.mechanism()).isEqualTo("none");
            ThreadGroup threads = new ThreadGroup("off");
            CpuGroup group = off.open(ContainerId.of("greeter", "1.0.0"), CpuRequest.DEFAULT, threads);
            assertThat(group.admits()).isTrue();
            assertThat(group.use().limit()).isEqualTo(off.capacity());
        }
    }
}
