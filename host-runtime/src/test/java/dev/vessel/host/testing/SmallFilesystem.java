package dev.vessel.host.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Test kit: a real filesystem of a few MiB (a tmpfs mounted on a directory), for what a node does when its disk is
 * full. Mounting needs root (CAP_SYS_ADMIN); {@link #mount} says whether it worked, so a test can be skipped, with
 * that reason, where it cannot.
 */
public final class SmallFilesystem implements AutoCloseable {
    private final Path mountPoint;

    private SmallFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code mib} MiB on {@code dir} (created if needed); null if this machine does not let us. */
    public static SmallFilesystem mount(Path dir, int mib) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        mount.getInputStream().readAllBytes();
        if (!mount.waitFor(30, TimeUnit.SECONDS) || mount.exitValue() != 0) {
            return null;
        }
        return new SmallFilesystem(dir);
    }

    public Path path() {
        return mountPoint;
    }

    public long free() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    /** Fills the filesystem up to {@code leaveBytes} free with a file of its own; returns the file. */
    public Path fill(long leaveBytes) throws IOException {
        Path filler = mountPoint.resolve("filler.bin");
        long size = Math.max(0, free() - leaveBytes);
        try (var out = Files.newOutputStream(filler)) {
            byte[] block = new byte[1 << 16];
            for (long written = 0; written < size; written += block.length) {
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        return filler;
    }

    /** Unmounts it (lazily, should a process still hold a file open in it). */
    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", mountPoint.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }
}
