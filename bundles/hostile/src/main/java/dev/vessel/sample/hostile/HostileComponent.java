package dev.vessel.sample.hostile;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import org.osgi.service.component.annotations.Component;

/** Fixture: a release that tries to end or outlive the process that hosts it. */
@Component(service = HostileComponent.class, property = "vessel.endpoint=hostile")
public class HostileComponent extends HostileBase implements Pinger {
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    private final CountDownLatch sharedTimerReleased = new CountDownLatch(1);

    public String exit(int status) {
        System.exit(status);
        return "still here after System.exit";
    }

    public String runtimeExit(int status) {
        Runtime.getRuntime().exit(status);
        return "still here after Runtime.exit";
    }

    public String halt(int status) {
        Runtime.getRuntime().halt(status);
        return "still here after Runtime.halt";
    }

    public String exitByReference(int status) {
        IntConsumer exit = System::exit;
        exit.accept(status);
        return "still here after System::exit";
    }

    public String exitByBoundReference(int status) {
        IntConsumer exit = Runtime.getRuntime()::exit;
        exit.accept(status);
        return "still here after Runtime.getRuntime()::exit";
    }

    public String haltByUnboundReference(int status) {
        ObjIntConsumer<Runtime> halt = Runtime::halt;
        halt.accept(Runtime.getRuntime(), status);
        return "still here after Runtime::halt";
    }

    public String exitByReflection(int status) throws ReflectiveOperationException {
        // the name is built at run time, so no constant names the method
        System.class.getMethod(new StringBuilder("tixe").reverse().toString(), int.class).invoke(null, status);
        return "still here after System.exit by reflection";
    }

    public String haltByDeclaredMethod(int status) throws ReflectiveOperationException {
        Runtime.class.getDeclaredMethod("halt", int.class).invoke(Runtime.getRuntime(), status);
        return "still here after Runtime.halt by reflection";
    }

    public String exitByListing(int status) throws ReflectiveOperationException {
        for (java.lang.reflect.Method method : System.class.getMethods()) {
            if (method.getName().equals("exit")) {
                method.invoke(null, status);
            }
        }
        for (java.lang.reflect.Method method : Runtime.class.getDeclaredMethods()) {
            if (method.getName().equals("halt")) {
                method.invoke(Runtime.getRuntime(), status);
            }
        }
        return "still here: no exit among the methods listed";
    }

    public String exitByMethodHandle(int status) throws Throwable {
        MethodHandles.lookup().findStatic(System.class, "exit", MethodType.methodType(void.class, int.class))
                .invoke(status);
        return "still here after System.exit by method handle";
    }

    public String haltByMethodHandle(int status) throws Throwable {
        MethodHandles.publicLookup().findVirtual(Runtime.class, "halt", MethodType.methodType(void.class, int.class))
                .invoke(Runtime.getRuntime(), status);
        return "still here after Runtime.halt by method handle";
    }

    /** Starts a non-daemon thread that never ends, and returns its name. */
    public String leaveThread(String name) {
        Thread thread = new Thread(() -> {
            while (true) {
                try {
                    NEVER.await();
                } catch (InterruptedException ignored) {
                    // a careless release: it ignores interrupts
                }
            }
        }, name);
        thread.start();
        return thread.getName();
    }

    /**
     * Blocks the JVM's one shared {@code CompletableFuture} delay thread (a dependent of an {@code orTimeout} runs on
     * it) until {@link #unblockSharedTimer}: every {@code orTimeout} in the process stops firing meanwhile.
     */
    public String blockSharedTimer() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Void> timer = new CompletableFuture<>();
        // the dependent first, then the timeout: a dependent added after the timeout fired would run right here
        timer.whenComplete((done, failure) -> {
            running.countDown();
            try {
                sharedTimerReleased.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        timer.orTimeout(1, TimeUnit.MILLISECONDS);
        return running.await(10, TimeUnit.SECONDS) ? "blocked" : "the shared timer never ran the blocker";
    }

    public String unblockSharedTimer() {
        sharedTimerReleased.countDown();
        return "released";
    }

    /**
     * Allocates until the heap is exhausted and catches the {@code OutOfMemoryError}, as careless code does: the
     * process it runs in would go on, half dead (any thread of it may have had an allocation fail meanwhile).
     */
    public String exhaustHeap() {
        java.util.List<long[]> hoard = new java.util.ArrayList<>();
        try {
            while (true) {
                hoard.add(new long[128 * 1024]); // 1 MiB at a time
            }
        } catch (OutOfMemoryError caught) {
            int held = hoard.size();
            hoard.clear();
            return "survived an OutOfMemoryError after " + held + " MiB";
        }
    }

    @Override
    public String ping() {
        return "pong";
    }
}
