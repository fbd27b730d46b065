import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown tables of one benchmark, and its raw numbers. */
final class Report {
    private final Options options;
    private final Toolchain toolchain;
    private final SyntheticProject project;
    private final Map<CompileTimeBenchmark.Build, List<Javac.Result>> results;
    private final GeneratedLines lines;
    private final Javac.Measure measure;
    private final String loadBefore;
    private final String loadAfter;

    Report(Options options, Toolchain toolchain, SyntheticProject project,
            Map<CompileTimeBenchmark.Build, List<Javac.Result>> results, GeneratedLines lines, Javac.Measure measure,
            String loadBefore, String loadAfter) {
        this.options = options;
        this.toolchain = toolchain;
        this.project = project;
        this.results = results;
        this.lines = lines;
        this.measure = measure;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
    }

    /** Median, minimum and maximum of some values. */
    record Spread(double median, double min, double max) {
        static Spread of(List<Double> values) {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Spread(median, sorted.getFirst(), sorted.getLast());
        }

        String seconds() {
            return String.format(Locale.ROOT, "%.2f s (%.2f to %.2f)", median, min, max);
        }
    }

    private Spread wall(CompileTimeBenchmark.Build build) {
        return Spread.of(results.get(build).stream().map(Javac.Result::seconds).toList());
    }

    private Spread cpu(CompileTimeBenchmark.Build build) {
        return Spread.of(results.get(build).stream().map(Javac.Result::cpuSeconds).toList());
    }

    private Spread threadSeconds(CompileTimeBenchmark.Build build,
            java.util.function.ToDoubleFunction<ProcessWatch.ThreadTimes> kind) {
        return Spread.of(results.get(build).stream().map(r -> kind.applyAsDouble(r.threads())).toList());
    }

    private Spread megabytes(CompileTimeBenchmark.Build build) {
        return Spread.of(results.get(build).stream().map(r -> r.peakRssKib() / 1024.0).toList());
    }

    String markdown() throws IOException {
        int structs = project.structCount();
        int allocators = project.allocatorCount();
        int types = structs + allocators;
        long components = (long) structs * SyntheticProject.COMPONENTS_PER_STRUCT;
        boolean measured = measure != Javac.Measure.NONE;

        StringBuilder md = new StringBuilder();
        md.append(paragraph(String.format(Locale.ROOT,
                "%d `@Struct` records (%d components: 6 `int`, 4 `long`, one `@Array(length = 16) byte[]`) and %d"
                        + " `@Allocator` classes (5 `@Alloc`, one `@MemoryScope`; bump, pool and stack in turn),"
                        + " %,d source lines. One `javac` process per build (JVM start included); median of %d runs"
                        + " after %d warm-up run%s, min to max in parentheses. %s. Other processes' load: the"
                        + " CPUs that other processes kept busy during the compilation, on average (from"
                        + " /proc/stat); wall times are comparable only when it is near 0.",
                structs, SyntheticProject.COMPONENTS_PER_STRUCT, allocators, project.sourceLines(), options.runs(),
                options.warmups(), options.warmups() == 1 ? "" : "s", measure.description)));
        md.append("| build | wall time | CPU time | peak memory | other processes' load |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (CompileTimeBenchmark.Build build : CompileTimeBenchmark.Build.values()) {
            Spread other = Spread.of(results.get(build).stream().map(Javac.Result::otherCpus).toList());
            md.append(String.format(Locale.ROOT, "| %s (`%s`) | %s | %s | %s | %s |%n", build.description,
                    build.label, wall(build).seconds(), measured ? cpu(build).seconds() : "n/a",
                    measured ? String.format(Locale.ROOT, "%.0f MB", megabytes(build).median()) : "n/a",
                    other.min() < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f CPUs (%.2f to %.2f)",
                            other.median(), other.min(), other.max())));
        }
        md.append('\n');

        Spread records = wall(CompileTimeBenchmark.Build.RECORDS);
        Spread processor = wall(CompileTimeBenchmark.Build.PROCESSOR);
        Spread generated = wall(CompileTimeBenchmark.Build.GENERATED);
        double ownWall = processor.median() - generated.median();
        md.append("| derived, from the medians | wall time | CPU time | target (wall time) |\n");
        md.append("|---|---:|---:|---|\n");
        md.append(String.format(Locale.ROOT, "| with the processor / the records alone | %.1fx | %s | at most 2x |%n",
                processor.median() / records.median(), measured ? String.format(Locale.ROOT, "%.1fx",
                        cpu(CompileTimeBenchmark.Build.PROCESSOR).median()
                                / cpu(CompileTimeBenchmark.Build.RECORDS).median()) : "n/a"));
        double ownCpu = cpu(CompileTimeBenchmark.Build.PROCESSOR).median()
                - cpu(CompileTimeBenchmark.Build.GENERATED).median();
        md.append(String.format(Locale.ROOT,
                "| the processor's own time, `processor` - `generated` | %.2f s | %s |  |%n", ownWall,
                measured ? String.format(Locale.ROOT, "%.2f s", ownCpu) : "n/a"));
        md.append(String.format(Locale.ROOT,
                "| the same per annotated type (%d) | %.1f ms | %s | at most 2 ms |%n", types, ownWall * 1000 / types,
                measured ? String.format(Locale.ROOT, "%.1f ms", ownCpu * 1000 / types) : "n/a"));
        md.append(String.format(Locale.ROOT,
                "| compiling the generated code and the allocator classes, `generated` - `records` | %.2f s | %s |"
                        + "  |%n", generated.median() - records.median(),
                measured ? String.format(Locale.ROOT, "%.2f s", cpu(CompileTimeBenchmark.Build.GENERATED).median()
                        - cpu(CompileTimeBenchmark.Build.RECORDS).median()) : "n/a"));
        md.append('\n');
        threadTable(md, types);

        GeneratedLines.LineCount all = lines.total();
        GeneratedLines.LineCount struct = lines.of(GeneratedLines.STRUCT);
        GeneratedLines.LineCount allocator = lines.of(GeneratedLines.ALLOCATOR);
        md.append(String.format(Locale.ROOT, "Generated: %d files (%d struct classes, %d allocator subclasses).%n%n",
                lines.structFiles() + lines.allocatorFiles() + lines.otherFiles(), lines.structFiles(),
                lines.allocatorFiles()));
        md.append("| generated lines | all | per struct | per struct component | per allocator |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        row(md, "all lines", all.lines(), struct.lines(), allocator.lines(), structs, components, allocators);
        row(md, "code (not blank, not comment)", all.code(), struct.code(), allocator.code(), structs, components,
                allocators);
        row(md, "javadoc", all.javadoc(), struct.javadoc(), allocator.javadoc(), structs, components, allocators);
        row(md, "blank", all.blank(), struct.blank(), allocator.blank(), structs, components, allocators);
        md.append(String.format(Locale.ROOT, "| javadoc share of all lines | %s | %s |  | %s |%n",
                share(all.javadoc(), all.lines()), share(struct.javadoc(), struct.lines()),
                share(allocator.javadoc(), allocator.lines())));
        md.append('\n');
        md.append(paragraph(String.format(Locale.ROOT,
                "Machine: %s, %d CPUs, %s; %s. Load average %s before, %s after. Finished %s.", Machine.cpuModel(),
                Runtime.getRuntime().availableProcessors(), Machine.memory(), toolchain.javacVersion(), loadBefore,
                loadAfter,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))));
        return md.toString();
    }

    /** Prose wrapped at 116 columns, as the docs are, then a blank line. */
    private static String paragraph(String text) {
        StringBuilder wrapped = new StringBuilder();
        int column = 0;
        for (String word : text.split(" ")) {
            if (column > 0 && column + 1 + word.length() > 116) {
                wrapped.append('\n');
                column = 0;
            } else if (column > 0) {
                wrapped.append(' ');
                column++;
            }
            wrapped.append(word);
            column += word.length();
        }
        return wrapped.append("\n\n").toString();
    }

    /**
     * CPU time by kind of thread: javac's main thread does the compiling and runs the processor; the JIT compilers
     * and the collector run beside it, on other cores when there are any.
     */
    private void threadTable(StringBuilder md, int types) {
        if (results.values().stream().flatMap(List::stream).anyMatch(r -> r.threads().main() < 0)) {
            return;
        }
        md.append("| CPU time by thread, median | javac's main thread | JIT compiler threads | GC threads |\n");
        md.append("|---|---:|---:|---:|\n");
        for (CompileTimeBenchmark.Build build : CompileTimeBenchmark.Build.values()) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %s |%n", build.label,
                    threadSeconds(build, ProcessWatch.ThreadTimes::main).seconds(),
                    threadSeconds(build, ProcessWatch.ThreadTimes::jit).seconds(),
                    threadSeconds(build, ProcessWatch.ThreadTimes::gc).seconds()));
        }
        double main = threadSeconds(CompileTimeBenchmark.Build.PROCESSOR, ProcessWatch.ThreadTimes::main).median()
                - threadSeconds(CompileTimeBenchmark.Build.GENERATED, ProcessWatch.ThreadTimes::main).median();
        double jit = threadSeconds(CompileTimeBenchmark.Build.PROCESSOR, ProcessWatch.ThreadTimes::jit).median()
                - threadSeconds(CompileTimeBenchmark.Build.GENERATED, ProcessWatch.ThreadTimes::jit).median();
        double gc = threadSeconds(CompileTimeBenchmark.Build.PROCESSOR, ProcessWatch.ThreadTimes::gc).median()
                - threadSeconds(CompileTimeBenchmark.Build.GENERATED, ProcessWatch.ThreadTimes::gc).median();
        md.append(String.format(Locale.ROOT,
                "| the processor's own, `processor` - `generated` | %.2f s, %.1f ms per type | %.2f s | %.2f s |%n%n",
                main, main * 1000 / types, jit, gc));
    }

    private static void row(StringBuilder md, String label, long all, long struct, long allocator, int structs,
            long components, int allocators) {
        md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s |%n", label, all, ratio(struct, structs),
                ratio(struct, components), ratio(allocator, allocators)));
    }

    private static String ratio(long value, long count) {
        return count == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", (double) value / count);
    }

    private static String share(long part, long whole) {
        return whole == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100.0 * part / whole);
    }

    /**
     * One line per run, tab-separated: build, run, wall and CPU milliseconds, CPU milliseconds of javac's main
     * thread, the JIT compilers and the collector, peak RSS in KiB, other processes' load in CPUs (-1: not measured).
     */
    String rawNumbers() {
        StringBuilder tsv = new StringBuilder(
                "build\trun\twall_ms\tcpu_ms\tmain_cpu_ms\tjit_cpu_ms\tgc_cpu_ms\tpeak_rss_kib\tother_cpus\n");
        for (var entry : results.entrySet()) {
            int run = 1;
            for (Javac.Result result : entry.getValue()) {
                ProcessWatch.ThreadTimes threads = result.threads();
                tsv.append(String.format(Locale.ROOT, "%s\t%d\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t%d\t%.2f%n",
                        entry.getKey().label, run++, result.wallNanos() / 1e6, result.cpuNanos() / 1e6,
                        threads.main() * 1000, threads.jit() * 1000, threads.gc() * 1000, result.peakRssKib(),
                        result.otherCpus()));
            }
        }
        return tsv.toString();
    }
}
