import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the report says about the machine. */
final class Machine {
    /** The kernel's clock ticks per second ({@code USER_HZ}), in which {@code /proc} counts CPU time; -1 if unknown. */
    static final long CLOCK_TICKS_PER_SECOND = clockTicksPerSecond();

    private Machine() {
    }

    /**
     * {@code USER_HZ}: of the values Linux uses, the one closest to the ratio of this JVM's CPU time as
     * {@code /proc/self/stat} counts it in ticks to the nanoseconds {@link ProcessHandle} reports. The JVM has used
     * about a second of CPU by now (the source launcher compiled this file), enough to tell them apart.
     */
    private static long clockTicksPerSecond() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            double seconds = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
            if (ticks <= 0 || seconds <= 0) {
                return -1;
            }
            double measured = ticks / seconds;
            return java.util.stream.LongStream.of(100, 250, 300, 1000, 1024).boxed()
                    .min(Comparator.comparingDouble(hz -> Math.abs(Math.log(hz / measured)))).orElseThrow();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The machine's CPU time since boot from {@code /proc/stat}, in clock ticks: busy and in all. */
    record CpuTicks(long busy, long total) {
    }

    /** The machine's CPU ticks, or {@code null} where {@code /proc/stat} cannot be read. */
    static CpuTicks cpuTicks() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/stat"))) {
            String[] fields = lines.findFirst().orElseThrow().trim().split("\\s+");
            long busy = 0;
            long total = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                long ticks = Long.parseLong(fields[i]);
                total += ticks;
                if (i != 4 && i != 5) {
                    busy += ticks;
                }
            }
            return new CpuTicks(busy, total);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * How many CPUs other processes kept busy, on average, between two readings that enclose one compilation of
     * {@code wallNanos} that used {@code ownCpuNanos}; steal time counts as busy. The tick rate follows from the
     * readings themselves: all CPUs tick together.
     */
    static double otherCpus(CpuTicks before, CpuTicks after, long wallNanos, long ownCpuNanos) {
        if (before == null || after == null || ownCpuNanos < 0 || after.total() <= before.total()) {
            return -1;
        }
        double seconds = wallNanos / 1e9;
        int cpus = Runtime.getRuntime().availableProcessors();
        double ticksPerSecond = (after.total() - before.total()) / (seconds * cpus);
        double busySeconds = (after.busy() - before.busy()) / ticksPerSecond;
        return Math.max(0, (busySeconds - ownCpuNanos / 1e9) / seconds);
    }

    /**
     * Waits, up to {@code limitSeconds}, for a second in which other processes kept less than a tenth of the
     * machine's CPUs busy.
     *
     * @return whether the machine became idle in time
     */
    static boolean awaitIdle(int limitSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
        do {
            CpuTicks before = cpuTicks();
            Thread.sleep(1000);
            CpuTicks after = cpuTicks();
            if (before == null || after == null) {
                return false;
            }
            double busy = (double) (after.busy() - before.busy()) / Math.max(1, after.total() - before.total());
            if (busy < 0.1) {
                return true;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | UncheckedIOException e) {
            return System.getProperty("os.arch");
        }
    }

    static String memory() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(line -> line.startsWith("MemTotal:")).findFirst()
                    .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / (1024 * 1024) + " GiB RAM")
                    .orElse("unknown RAM");
        } catch (IOException | UncheckedIOException e) {
            return "unknown RAM";
        }
    }
}
