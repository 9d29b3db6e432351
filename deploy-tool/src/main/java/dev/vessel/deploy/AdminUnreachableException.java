package dev.vessel.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** No connection to a node's admin API could be made: nothing was sent, so nothing was changed. */
public final class AdminUnreachableException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    AdminUnreachableException(URI node, IOException cause) {
        super("cannot reach the admin API of " + node + ": " + cause.getMessage(), cause);
    }
}
