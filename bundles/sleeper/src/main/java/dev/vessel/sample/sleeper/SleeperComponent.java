package dev.vessel.sample.sleeper;

import org.osgi.service.component.annotations.Component;

/** Fixture: a release whose calls take as long as the caller asks, to saturate its own container. */
@Component(service = SleeperComponent.class, property = "vessel.endpoint=sleeper")
public class SleeperComponent {
    /** Sleeps {@code millis} and returns them. */
    public long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    /** The name of the thread that runs this call. */
    public String thread() {
        return Thread.currentThread().getName();
    }
}
