package dev.vessel.sample.burner;

import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;

/** Fixture: a release whose calls compute (no sleeping, no I/O) for as long as the caller asks. */
@Component(service = BurnerComponent.class, property = "vessel.endpoint=burner")
public class BurnerComponent {
    /** Computes for {@code millis} of wall-clock time on the calling thread; returns the rounds it made. */
    public long burn(long millis) {
        return spin(millis);
    }

    /**
     * Starts a thread of the release's own that computes for {@code millis}, and returns at once: a release's
     * own threads count against its container as its calls do.
     */
    public String burnInBackground(long millis) {
        Thread thread = new Thread(() -> spin(millis), "burner-background");
        thread.setDaemon(true);
        thread.start();
        return thread.getName();
    }

    /** A cheap call, for a neighbour's throughput. */
    public int ping(int value) {
        return value;
    }

    private static long spin(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long rounds = 0;
        double x = 1.0001;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 1.0000001 + 1e-9;
            }
            rounds++;
        }
        return x > 0 ? rounds : -rounds; // x used, so the loop is not removed
    }
}
