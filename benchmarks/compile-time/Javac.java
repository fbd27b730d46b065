import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One javac process per compilation, in a fresh output folder. Besides the wall time, it measures the process's
 * CPU time (user and system, all threads: javac's, the JIT compilers' and the collector's) and its peak resident
 * set size, from GNU time ({@code %U}, {@code %S}, {@code %M}: the kernel's {@code rusage}) where
 * {@code /usr/bin/time} exists, else through {@link ProcessWatch}; the CPU time by kind of thread always comes from
 * {@link ProcessWatch}.
 */
final class Javac {
    private static final Path TIME_COMMAND = Path.of("/usr/bin/time");
    /** GNU time's output: peak RSS in KiB, user seconds, system seconds. */
    private static final String FORMAT = "%M %U %S";

    private final Toolchain toolchain;
    private final Path work;
    private final Measure measure;
    private String lastOutput = "";

    Javac(Toolchain toolchain, Path work) throws IOException {
        this.toolchain = toolchain;
        this.work = work;
        SyntheticProject.deleteTree(work);
        Files.createDirectories(work);
        this.measure = Measure.detect();
    }

    Measure measure() {
        return measure;
    }

    Path generatedSources() {
        return work.resolve("generated");
    }

    /**
     * One compilation: wall time, CPU time of all the process's threads and by kind of thread, peak RSS, and the
     * CPUs that other processes kept busy meanwhile, on average; -1 where not measured.
     */
    record Result(long wallNanos, long cpuNanos, ProcessWatch.ThreadTimes threads, long peakRssKib,
            double otherCpus) {
        double seconds() {
            return wallNanos / 1e9;
        }

        double cpuSeconds() {
            return cpuNanos / 1e9;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%6.2f s wall  %7s CPU (%s)  %7s  other load %s", seconds(),
                    cpuNanos < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f s", cpuSeconds()), threads,
                    peakRssKib < 0 ? "n/a" : (peakRssKib / 1024) + " MB",
                    otherCpus < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f CPUs", otherCpus));
        }
    }

    /** How CPU time and peak memory are measured on this machine. */
    enum Measure {
        GNU_TIME("CPU time is user + system time of the javac process, all threads, and peak memory its peak"
                + " resident set size, both from GNU time (%U, %S, %M: the kernel's rusage)"),
        PROC("CPU time is user + system time of the javac process, all threads, and peak memory its peak resident"
                + " set size (VmHWM), both polled from /proc every 50 ms, so the last 50 ms may be missed"),
        NONE("CPU time and peak memory are not measured: neither /usr/bin/time nor /proc is available");

        final String description;

        Measure(String description) {
            this.description = description;
        }

        static Measure detect() {
            if (Files.isExecutable(TIME_COMMAND)) {
                try {
                    Process probe = new ProcessBuilder(TIME_COMMAND.toString(), "-f", FORMAT, "true")
                            .redirectErrorStream(true).start();
                    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (probe.waitFor() == 0 && output.trim().matches("\\d+ [\\d.]+ [\\d.]+")) {
                        return GNU_TIME;
                    }
                } catch (IOException | InterruptedException e) {
                    // fall through to /proc
                }
            }
            return Files.isReadable(Path.of("/proc/self/status")) ? PROC : NONE;
        }
    }

    Result compile(CompileTimeBenchmark.Build build, SyntheticProject project)
            throws IOException, InterruptedException {
        List<Path> sources = switch (build) {
            case RECORDS -> project.structSources();
            case PROCESSOR -> project.allSources();
            case GENERATED -> {
                List<Path> all = new ArrayList<>(project.allSources());
                all.addAll(project.generatedSources());
                yield all;
            }
        };
        return run(build, sources, List.of());
    }

    /**
     * The processor build, or the generated build, once more, with a flight recording and javac's list of rounds.
     */
    Result compileProfiled(CompileTimeBenchmark.Build build, SyntheticProject project, Path recording,
            int samplePeriodMillis) throws IOException, InterruptedException {
        List<String> profiling = List.of(
                "-J-XX:StartFlightRecording:filename=" + recording + ",settings=profile,"
                        + "jdk.ExecutionSample#period=" + samplePeriodMillis + "ms,"
                        + "jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=" + samplePeriodMillis + "ms",
                "-J-XX:FlightRecorderOptions:stackdepth=2048",
                "-XprintRounds");
        List<Path> sources = new ArrayList<>(project.allSources());
        if (build == CompileTimeBenchmark.Build.GENERATED) {
            sources.addAll(project.generatedSources());
        }
        return run(build, sources, profiling);
    }

    /** The rounds javac printed for {@code -XprintRounds} in the last run: the number of input files of each. */
    List<Integer> rounds() {
        List<Integer> rounds = new ArrayList<>();
        Matcher matcher = Pattern.compile("input files: \\{([^}]*)}").matcher(lastOutput);
        while (matcher.find()) {
            String files = matcher.group(1).trim();
            rounds.add(files.isEmpty() ? 0 : files.split(",").length);
        }
        return rounds;
    }

    private Result run(CompileTimeBenchmark.Build build, List<Path> sources, List<String> extra)
            throws IOException, InterruptedException {
        Path classes = work.resolve("classes");
        Path generated = generatedSources();
        SyntheticProject.deleteTree(classes);
        SyntheticProject.deleteTree(generated);
        Files.createDirectories(classes);
        Files.createDirectories(generated);
        Path sourceList = work.resolve("sources.txt");
        Files.write(sourceList, sources.stream().map(Path::toString).toList());

        List<String> command = new ArrayList<>();
        Path usageFile = work.resolve("usage.txt");
        Files.deleteIfExists(usageFile);
        if (measure == Measure.GNU_TIME) {
            command.addAll(List.of(TIME_COMMAND.toString(), "-f", FORMAT, "-o", usageFile.toString()));
        }
        command.add(toolchain.javac().toString());
        command.addAll(extra);
        command.addAll(List.of("--release", "25", "-encoding", "UTF-8", "-g", "-d", classes.toString(),
                "-cp", Toolchain.path(toolchain.classPath())));
        if (build == CompileTimeBenchmark.Build.PROCESSOR) {
            command.addAll(List.of("-s", generated.toString(),
                    "--processor-path", Toolchain.path(toolchain.processorPath())));
        } else {
            command.add("-proc:none");
        }
        command.add("@" + sourceList);

        Path output = work.resolve("javac-output.txt");
        Machine.CpuTicks before = Machine.cpuTicks();
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        ProcessWatch watch = ProcessWatch.watch(process, measure == Measure.GNU_TIME);
        int exit = process.waitFor();
        long wall = System.nanoTime() - start;
        Machine.CpuTicks after = Machine.cpuTicks();
        lastOutput = Files.readString(output);
        if (exit != 0) {
            throw new CompileTimeBenchmark.BenchmarkException("javac failed (exit " + exit + ") on the "
                    + build.label + " build:\n" + lastOutput + "\ncommand: " + String.join(" ", command));
        }
        if (measure == Measure.GNU_TIME) {
            String[] usage = Files.readAllLines(usageFile).getLast().trim().split(" ");
            long cpu = Math.round((Double.parseDouble(usage[1]) + Double.parseDouble(usage[2])) * 1e9);
            return new Result(wall, cpu, watch.threadTimes(), Long.parseLong(usage[0]),
                    Machine.otherCpus(before, after, wall, cpu));
        }
        return new Result(wall, watch.cpuNanos(), watch.threadTimes(), watch.peakRssKib(),
                Machine.otherCpus(before, after, wall, watch.cpuNanos()));
    }
}
