package dev.vessel.host.internal.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Timeouts of the node's HTTP server, on the server's own scheduler. Not {@code CompletableFuture.orTimeout}: that
 * runs on one delay thread shared by the whole JVM, and a release that blocks it (a dependent action of its own
 * {@code orTimeout} that never returns runs on that thread) would switch off every timeout that relies on it.
 */
final class ServerTimeouts {
    private ServerTimeouts() {}

    /**
     * Fails {@code future} with a {@link TimeoutException} unless it completes within {@code millis}, and returns it.
     */
    static <T> CompletableFuture<T> within(CompletableFuture<T> future, long millis, Request request) {
        Scheduler scheduler = request.getComponents().getScheduler();
        Scheduler.Task timeout = scheduler.schedule(() -> future.completeExceptionally(new TimeoutException()),
                millis, TimeUnit.MILLISECONDS);
        future.whenComplete((done, failure) -> timeout.cancel());
        return future;
    }
}
