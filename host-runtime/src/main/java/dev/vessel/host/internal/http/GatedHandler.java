package dev.vessel.host.internal.http;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A handler whose requests are let in, or refused, before they take a place on a bulkhead: the check runs on the
 * request thread and must not block, so a stranger's requests are answered without ever queueing beside the work
 * of those allowed in.
 */
public interface GatedHandler extends Request.Handler {
    /** Whether {@code request} may go on to {@link #handle}; when not, the refusal has been answered. */
    boolean admits(Request request, Response response, Callback callback);
}
