import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Watches a running javac through {@code /proc} every 50 ms until it ends: the CPU time of each of its threads as
 * last seen, summed by kind (javac's main thread, the JIT compilers, the garbage collector, the rest), and for
 * machines without GNU time its peak RSS ({@code VmHWM}) and total CPU time. The last 50 ms of a thread may be
 * missed; a thread that ended early counts with its last reading.
 */
final class ProcessWatch {
    private static final long POLL_MILLIS = 50;

    /** CPU seconds by kind of thread; -1 where not measured. */
    record ThreadTimes(double main, double jit, double gc, double other) {
        static final ThreadTimes NONE = new ThreadTimes(-1, -1, -1, -1);

        @Override
        public String toString() {
            return main < 0 ? "threads n/a" : String.format(Locale.ROOT, "main %.2f, JIT %.2f, GC %.2f", main, jit, gc);
        }
    }

    private final Map<String, String> threadNames = new HashMap<>();
    private final Map<String, Long> threadTicks = new HashMap<>();
    private long peakRssKib = -1;
    private long cpuNanos = -1;

    private ProcessWatch() {
    }

    /**
     * Watches until the process ends.
     *
     * @param process the javac process, or GNU time running it
     * @param wrapped whether {@code process} is GNU time, whose child is javac
     */
    static ProcessWatch watch(Process process, boolean wrapped) throws InterruptedException {
        ProcessWatch watch = new ProcessWatch();
        while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            Optional<ProcessHandle> javac = wrapped ? process.children().findFirst() : Optional.of(process.toHandle());
            javac.ifPresent(watch::read);
        }
        return watch;
    }

    long peakRssKib() {
        return peakRssKib;
    }

    long cpuNanos() {
        return cpuNanos;
    }

    ThreadTimes threadTimes() {
        if (threadTicks.isEmpty() || Machine.CLOCK_TICKS_PER_SECOND <= 0) {
            return ThreadTimes.NONE;
        }
        double[] seconds = new double[4];
        for (var entry : threadTicks.entrySet()) {
            String name = threadNames.get(entry.getKey());
            int kind = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? 1
                    : name.startsWith("GC Thread") || name.startsWith("G1 ") ? 2
                    : name.equals("javac") || name.equals("java") ? 0 : 3;
            seconds[kind] += (double) entry.getValue() / Machine.CLOCK_TICKS_PER_SECOND;
        }
        return new ThreadTimes(seconds[0], seconds[1], seconds[2], seconds[3]);
    }

    private void read(ProcessHandle javac) {
        Path proc = Path.of("/proc", Long.toString(javac.pid()));
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (Path task : tasks.toList()) {
                String stat = Files.readString(task.resolve("stat"));
                // pid (comm) state ... : utime and stime are the 12th and 13th fields after the closing parenthesis
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                String tid = task.getFileName().toString();
                threadNames.put(tid, name);
                threadTicks.put(tid, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
            }
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmHWM:")) {
                    peakRssKib = Math.max(peakRssKib, Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
        } catch (IOException | RuntimeException e) {
            return; // the process or a thread ended between two reads: keep the last readings
        }
        cpuNanos = javac.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(cpuNanos);
    }
}
