package dev.vessel.host.internal.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where this process's cgroup v1 {@code cpu} and {@code cpuacct} groups are, and the few file operations Vessel
 * needs on them. The two controllers may be mounted apart (each its own hierarchy) or together.
 *
 * @param cpu  this process's group in the {@code cpu} hierarchy (Vessel's groups go below it, so a node inside a
 *             limited group stays inside that limit)
 * @param acct this process's group in the {@code cpuacct} hierarchy; the same directory when mounted together
 */
record CgroupV1(Path cpu, Path acct) {
    /** The hierarchies as {@code /proc/self/mountinfo} and {@code /proc/self/cgroup} describe them. */
    static Located locate(Path proc) {
        List<String> mounts;
        List<String> groups;
        try {
            mounts = Files.readAllLines(proc.resolve("self/mountinfo"));
            groups = Files.readAllLines(proc.resolve("self/cgroup"));
        } catch (IOException e) {
            return Located.failed("cannot read " + proc + "/self/mountinfo or cgroup: " + e.getMessage());
        }
        Optional<Path> cpu = directory(mounts, groups, "cpu");
        Optional<Path> acct = directory(mounts, groups, "cpuacct");
        if (cpu.isEmpty() || acct.isEmpty()) {
            boolean v2 = mounts.stream().anyMatch(line -> line.contains(" - cgroup2 "));
            return Located.failed(v2 ? "only cgroup v2 is mounted for cpu (its threaded subtrees are not used by"
                    + " this version)" : "no cgroup v1 cpu and cpuacct hierarchies are mounted");
        }
        return new Located(new CgroupV1(cpu.get(), acct.get()), null);
    }

    /** A hierarchy's directory for this process, from the mount carrying {@code controller} and the process's path. */
    private static Optional<Path> directory(List<String> mounts, List<String> groups, String controller) {
        for (String line : mounts) {
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String[] before = line.substring(0, separator).split(" ");
            String[] after = line.substring(separator + 3).split(" ");
            if (before.length < 5 || after.length < 3 || !after[0].equals("cgroup")
                    || !Arrays.asList(after[2].split(",")).contains(controller)) {
                continue;
            }
            String mountRoot = unescape(before[3]);
            Path mountPoint = Path.of(unescape(before[4]));
            for (String group : groups) {
                String[] fields = group.split(":", 3);
                if (fields.length == 3 && Arrays.asList(fields[1].split(",")).contains(controller)) {
                    String path = fields[2];
                    String relative = path.startsWith(mountRoot) ? path.substring(mountRoot.length()) : path;
                    relative = relative.startsWith("/") ? relative.substring(1) : relative;
                    return Optional.of(relative.isEmpty() ? mountPoint : mountPoint.resolve(relative));
                }
            }
        }
        return Optional.empty();
    }

    /** mountinfo escapes spaces and the like as octal. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    boolean together() {
        return cpu.equals(acct);
    }

    /** Both hierarchies' directory at {@code relative} below this process's groups. */
    List<Path> both(String relative) {
        return together() ? List.of(cpu.resolve(relative)) : List.of(cpu.resolve(relative), acct.resolve(relative));
    }

    static void write(Path file, String value) throws IOException {
        // cgroup files take one value per write; no truncation, no creation
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    /** The thread ids in a group ({@code tasks}); empty when the group is gone. */
    static List<String> tasks(Path group) throws IOException {
        try {
            return Files.readAllLines(group.resolve("tasks")).stream().filter(s -> !s.isBlank()).toList();
        } catch (NoSuchFileException gone) {
            return List.of();
        }
    }

    /**
     * Removes a group and the groups below it, deepest first. A group still holding threads cannot be removed:
     * its threads are moved to {@code refuge} first when one is given.
     */
    static void remove(Path group, Path refuge) throws IOException {
        if (!Files.isDirectory(group)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(group, Files::isDirectory)) {
            entries.forEach(children::add);
        }
        for (Path child : children) {
            remove(child, refuge);
        }
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            if (refuge != null) {
                for (String task : tasks(group)) {
                    try {
                        write(refuge.resolve("tasks"), task);
                    } catch (IOException ended) {
                        // the thread ended meanwhile
                    }
                }
            }
            try {
                Files.deleteIfExists(group); // rmdir: a group's files are the kernel's and go with it
                return;
            } catch (IOException busy) { // a thread was being created in it; move it and try again
                last = busy;
                Thread.onSpinWait();
            }
        }
        throw last;
    }

    /** The kernel's id of the calling thread. */
    static String currentThreadId() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/thread-self: " + e.getMessage(), e);
        }
    }

    /** Whether a group or not: the outcome of {@link #locate}. */
    record Located(CgroupV1 hierarchies, String failure) {
        static Located failed(String why) {
            return new Located(null, why);
        }
    }
}
