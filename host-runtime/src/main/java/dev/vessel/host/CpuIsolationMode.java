package dev.vessel.host;

/** How a node keeps its containers' CPU use apart ({@code vessel node --cpu-isolation}). */
public enum CpuIsolationMode {
    /** The kernel's control groups where the machine allows them, else admission by measured CPU. */
    AUTO,
    /** The kernel's control groups, or the node does not start. */
    KERNEL,
    /** Admission by measured CPU, even where the kernel could do better. */
    MEASURED,
    /** None: containers compete for the cores as threads do (their CPU is still measured and shown). */
    OFF;

    /**
     * The mode named {@code name} ({@code auto}, {@code kernel}, {@code measured} or {@code off}, in any case).
     *
     * @throws IllegalArgumentException naming the modes there are
     */
    public static CpuIsolationMode of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("must be auto, kernel, measured or off; got '" + name + "'");
        }
    }
}
