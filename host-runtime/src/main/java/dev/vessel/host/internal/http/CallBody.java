package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A call's body, read without holding a thread while it arrives (a slow sender costs a buffer, not a thread).
 * The buffer grows with what has arrived, charged to the node's {@link BodyBudget} until the body is complete,
 * so a body that is declared large but trickles in holds almost nothing.
 */
final class CallBody implements Runnable {
    private final Request request;
    private final int maxBytes;
    private final BodyBudget budget;
    private final String nodeId;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private byte[] bytes = new byte[0];
    /** Bytes received and charged to the budget; guarded by {@code this}, as is {@link #released}. */
    private int length;
    private boolean released;

    CallBody(Request request, int maxBytes, BodyBudget budget, String nodeId) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.nodeId = nodeId;
        result.whenComplete((body, failure) -> release());
    }

    /** Starts reading; {@link #result} completes when the whole body is there, or fails. */
    CompletableFuture<byte[]> read() {
        run();
        return result;
    }

    @Override
    public void run() {
        while (!result.isDone()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                result.completeExceptionally(chunk.getFailure());
                return;
            }
            try {
                append(chunk);
            } finally {
                chunk.release();
            }
            if (chunk.isLast()) {
                complete();
            }
        }
    }

    private synchronized void complete() {
        if (!released) {
            result.complete(length == bytes.length ? bytes : Arrays.copyOf(bytes, length));
        }
    }

    /** The body is complete or has failed (perhaps by a timeout, on another thread): its bytes leave the budget. */
    private synchronized void release() {
        released = true;
        budget.give(length);
    }

    private synchronized void append(Content.Chunk chunk) {
        if (released) {
            return;
        }
        int size = chunk.remaining();
        if (size > maxBytes - length) {
            result.completeExceptionally(new ApiError(ErrorCode.TOO_LARGE, "request body exceeds " + maxBytes
                    + " bytes"));
            return;
        }
        if (!budget.tryTake(size)) {
            result.completeExceptionally(new ApiError(ErrorCode.BUSY, "node " + nodeId + " holds as many bytes of"
                    + " call bodies still arriving as it may (" + budget.capacity() + "); the call was not executed"));
            return;
        }
        if (length + size > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(maxBytes, Math.max(length + size, bytes.length * 2)));
        }
        chunk.getByteBuffer().get(bytes, length, size);
        length += size;
    }
}
