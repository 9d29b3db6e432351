package dev.vessel.sample.hostile;

import java.util.concurrent.CountDownLatch;
import org.osgi.service.component.annotations.Component;

/** Fixture: a release that tries to end or outlive the process that hosts it. */
@Component(service = HostileComponent.class, property = "vessel.endpoint=hostile")
public class HostileComponent extends HostileBase implements Pinger {
    private static final CountDownLatch NEVER = new CountDownLatch(1);

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

    @Override
    public String ping() {
        return "pong";
    }
}
