import java.nio.file.Path;

/** The command-line options; the defaults are the project docs/BENCHMARKS.md measures. */
record Options(int structs, int allocators, int runs, int warmups, Path out, Path repository, Path javac,
        Path mavenRepository, int waitIdleSeconds, boolean profile, CompileTimeBenchmark.Build profileBuild,
        int samplePeriodMillis, boolean help) {

    static final String USAGE = """
            usage: java benchmarks/compile-time/CompileTimeBenchmark.java [options]
              --structs N        @Struct records to generate (default 400; 11 components each)
              --allocators M     @Allocator classes to generate (default 60; 5 @Alloc, 1 @MemoryScope each)
              --runs R           measured runs of each build (default 5)
              --warmups W        warm-up runs of each build, not measured (default 1; with 0, one build with the
                                 processor still runs first, for the generated sources)
              --out DIR          where the project, the results and the recording go
                                 (default target/compile-time under the repository root)
              --repo DIR         the repository root, whose */target jars are used (default .)
              --javac PATH       the javac to measure (default: the one beside this java)
              --maven-repo DIR   the local Maven repository holding JavaPoet (default ~/.m2/repository)
              --wait-idle S      before each compilation, wait up to S seconds for a second in which other
                                 processes use less than a tenth of the CPUs (default 0: do not wait)
              --profile          instead of timing: one run with the processor under Java Flight Recorder,
                                 and where its samples fall (processor, JavaPoet, Filer, javac phases)
              --profile-build B  the build --profile records: processor (default), or generated (the sources
                                 plus the code the processor generated in the warm-up, without the processor)
              --sample-ms P      the profiler's sampling period, in milliseconds of CPU time (default 2)
              --help             this text
            Build the jars first: mvn -B -ntp -q package -DskipTests -pl annotations,runtime,processor""";

    static Options parse(String[] args) {
        int structs = 400;
        int allocators = 60;
        int runs = 5;
        int warmups = 1;
        Path out = null;
        Path repository = Path.of(".");
        Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
        Path mavenRepository = Path.of(System.getProperty("user.home"), ".m2", "repository");
        int waitIdleSeconds = 0;
        boolean profile = false;
        CompileTimeBenchmark.Build profileBuild = CompileTimeBenchmark.Build.PROCESSOR;
        int samplePeriodMillis = 2;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--structs" -> structs = atLeast(option, value(args, ++i, option), 3);
                case "--allocators" -> allocators = atLeast(option, value(args, ++i, option), 0);
                case "--runs" -> runs = atLeast(option, value(args, ++i, option), 1);
                case "--warmups" -> warmups = atLeast(option, value(args, ++i, option), 0);
                case "--out" -> out = Path.of(value(args, ++i, option));
                case "--repo" -> repository = Path.of(value(args, ++i, option));
                case "--javac" -> javac = Path.of(value(args, ++i, option));
                case "--maven-repo" -> mavenRepository = Path.of(value(args, ++i, option));
                case "--wait-idle" -> waitIdleSeconds = atLeast(option, value(args, ++i, option), 0);
                case "--profile" -> profile = true;
                case "--profile-build" -> profileBuild = build(value(args, ++i, option));
                case "--sample-ms" -> samplePeriodMillis = atLeast(option, value(args, ++i, option), 1);
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        repository = repository.toAbsolutePath().normalize();
        out = out == null ? repository.resolve(Path.of("target", "compile-time")) : out.toAbsolutePath().normalize();
        return new Options(structs, allocators, runs, warmups, out, repository, javac, mavenRepository,
                waitIdleSeconds, profile, profileBuild, samplePeriodMillis, help);
    }

    private static CompileTimeBenchmark.Build build(String label) {
        return switch (label) {
            case "processor" -> CompileTimeBenchmark.Build.PROCESSOR;
            case "generated" -> CompileTimeBenchmark.Build.GENERATED;
            default -> throw new IllegalArgumentException("--profile-build takes processor or generated, not " + label);
        };
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int atLeast(String option, String text, int minimum) {
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not " + text);
        }
        if (value < minimum) {
            throw new IllegalArgumentException(option + " must be at least " + minimum + ", not " + value);
        }
        return value;
    }
}
