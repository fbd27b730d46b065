import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compile-time benchmark: what the annotation processor and the code it generates cost a user's build.
 *
 * <p>It writes a synthetic project of {@code @Struct} records and {@code @Allocator} classes, then compiles it with
 * the JDK's {@code javac}, each compilation a fresh process (JVM start included, as in a user's build), in three
 * configurations:
 * <ol>
 *   <li><b>records</b>: the records alone, without the processor ({@code -proc:none}); the allocator classes
 *       cannot compile without the code generated for them;</li>
 *   <li><b>processor</b>: the records and the allocator classes with the processor on {@code --processor-path};</li>
 *   <li><b>generated</b>: the same sources plus the code the processor generated, without the processor.</li>
 * </ol>
 * The processor's own time (generation, and javac's extra rounds over what it wrote) is processor minus generated.
 * The configurations are interleaved run by run, after warm-up runs, and each is reported as the median, min and
 * max of its wall time and CPU time, with the peak resident memory of the javac process and the load other
 * processes put on the machine meanwhile. The generated sources are counted by kind of line.
 *
 * <p>With {@code --profile} it instead runs the processor configuration once under Java Flight Recorder and
 * attributes the CPU-time samples of javac's main thread to the processor (JavaPoet, the Filer, element lookups,
 * its own code) and to javac's phases, inside and outside the annotation-processing rounds; with
 * {@code --profile-build generated} it records the generated configuration instead, to show which of javac's
 * methods the generated code costs (attribution, overload resolution, doc comments, code generation).
 *
 * <p>Run from the repository root, after {@code mvn -B -ntp -q package -DskipTests -pl annotations,runtime,processor}:
 * <pre>{@code java benchmarks/compile-time/CompileTimeBenchmark.java [options]}</pre>
 * with a JDK 25 {@code java}, which compiles this file and the others of its folder from source (JEP 458). It is a
 * measurement, never a test: it asserts nothing about time.
 */
public final class CompileTimeBenchmark {
    private final Options options;
    private final Toolchain toolchain;

    private CompileTimeBenchmark(Options options, Toolchain toolchain) {
        this.options = options;
        this.toolchain = toolchain;
    }

    /**
     * Runs the benchmark.
     *
     * @param args the options; {@code --help} lists them
     * @throws Exception if writing or compiling fails unexpectedly
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("compile-time benchmark: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(Options.USAGE);
            return;
        }
        try {
            Toolchain toolchain = Toolchain.locate(options);
            CompileTimeBenchmark benchmark = new CompileTimeBenchmark(options, toolchain);
            if (options.profile()) {
                benchmark.profile();
            } else {
                benchmark.measure();
            }
        } catch (BenchmarkException e) {
            System.err.println("compile-time benchmark: " + e.getMessage());
            System.exit(1);
        }
    }

    private void measure() throws IOException, InterruptedException {
        Files.createDirectories(options.out());
        SyntheticProject project = SyntheticProject.write(options.out().resolve("project"), options.structs(),
                options.allocators());
        Path work = options.out().resolve("work");
        Javac javac = new Javac(toolchain, work);
        String loadBefore = Machine.loadAverage();
        System.out.printf(Locale.ROOT, "%d structs, %d allocators; %d warm-up and %d measured runs of each build%n",
                options.structs(), options.allocators(), options.warmups(), options.runs());

        // The warm-up fills the OS file cache and produces the generated sources the third build compiles.
        Map<Build, List<Javac.Result>> results = new EnumMap<>(Build.class);
        for (Build build : Build.values()) {
            results.put(build, new ArrayList<>());
        }
        for (int warmup = 1; warmup <= options.warmups(); warmup++) {
            for (Build build : Build.values()) {
                awaitIdle();
                Javac.Result result = javac.compile(build, project);
                System.out.printf(Locale.ROOT, "  warm-up %d  %-10s %s%n", warmup, build.label, result);
                if (build == Build.PROCESSOR) {
                    project.keepGenerated(javac.generatedSources());
                }
            }
        }
        if (options.warmups() == 0) {
            javac.compile(Build.PROCESSOR, project);
            project.keepGenerated(javac.generatedSources());
        }
        for (int run = 1; run <= options.runs(); run++) {
            for (Build build : Build.values()) {
                awaitIdle();
                Javac.Result result = javac.compile(build, project);
                results.get(build).add(result);
                System.out.printf(Locale.ROOT, "  run %d      %-10s %s%n", run, build.label, result);
            }
        }
        String loadAfter = Machine.loadAverage();

        GeneratedLines lines = GeneratedLines.count(project);
        Report report = new Report(options, toolchain, project, results, lines, javac.measure(),
                loadBefore, loadAfter);
        String markdown = report.markdown();
        System.out.println();
        System.out.println(markdown);
        Files.writeString(options.out().resolve("summary.md"), markdown);
        Files.writeString(options.out().resolve("results.tsv"), report.rawNumbers());
        System.out.println("Raw numbers: " + options.out().resolve("results.tsv") + ", this table: "
                + options.out().resolve("summary.md"));
    }

    private void awaitIdle() throws InterruptedException {
        if (options.waitIdleSeconds() > 0 && !Machine.awaitIdle(options.waitIdleSeconds())) {
            System.out.printf(Locale.ROOT, "  (the machine stayed busy for %d s; compiling anyway)%n",
                    options.waitIdleSeconds());
        }
    }

    private void profile() throws IOException, InterruptedException {
        Files.createDirectories(options.out());
        SyntheticProject project = SyntheticProject.write(options.out().resolve("project"), options.structs(),
                options.allocators());
        Javac javac = new Javac(toolchain, options.out().resolve("work"));
        System.out.printf(Locale.ROOT, "%d structs, %d allocators; one warm-up, then one profiled run of the %s"
                + " build%n", options.structs(), options.allocators(), options.profileBuild().label);
        awaitIdle();
        javac.compile(Build.PROCESSOR, project);
        project.keepGenerated(javac.generatedSources());
        awaitIdle();
        Path recording = options.out().resolve("profile.jfr");
        Files.deleteIfExists(recording);
        Javac.Result result = javac.compileProfiled(options.profileBuild(), project, recording,
                options.samplePeriodMillis());
        Profile profile = Profile.read(recording, options.samplePeriodMillis());
        String text = profile.report(options.profileBuild(), result, javac.rounds());
        System.out.println(text);
        Files.writeString(options.out().resolve("profile.txt"), text);
        System.out.println("Recording: " + recording + " (open it in JDK Mission Control, or `jfr view hot-methods "
                + recording + "`); this report: " + options.out().resolve("profile.txt"));
    }

    /** The three builds of the synthetic project. */
    enum Build {
        RECORDS("records", "the records alone, no processor"),
        PROCESSOR("processor", "records and allocator classes, with the processor"),
        GENERATED("generated", "records, allocator classes and the generated code, no processor");

        final String label;
        final String description;

        Build(String label, String description) {
            this.label = label;
            this.description = description;
        }
    }

    /** A failure the user can fix: a missing jar, a failed compilation. */
    static final class BenchmarkException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BenchmarkException(String message) {
            super(message);
        }
    }
}
