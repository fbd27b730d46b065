import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where javac's main thread spends its CPU time, from the samples of a flight recording: JDK 25's CPU-time samples
 * (JEP 509), each weighted by the CPU time it stands for, or where there are none, the classic execution samples.
 * The JIT compiler and GC threads are not sampled; the report gives their time apart. Each sample is attributed
 * once: to the processor when a processor frame is on its stack (then by what runs above that frame:
 * class loading, the Filer creating files, the Filer's {@code Writer} encoding what JavaPoet emits, JavaPoet
 * formatting source text, JavaPoet building specs, javac's element and type utilities, or the processor's own
 * code), otherwise to the innermost phase of {@code JavaCompiler} on the stack, inside the annotation-processing
 * rounds (which parse and enter the generated files, and enter every file again each round) or outside them
 * (the first parse and enter, then attribution to class files after the last round).
 */
final class Profile {
    private static final String PROCESSOR_PACKAGE = "io.nebula.memory.processor.";
    private static final String JAVAPOET_PACKAGE = "com.palantir.javapoet.";
    /** Where the processor's published jar relocates JavaPoet (the jar this benchmark runs). */
    private static final String RELOCATED_JAVAPOET_PACKAGE = "io.nebula.memory.processor.internal.javapoet.";
    private static final String JAVAC_PACKAGE = "com.sun.tools.javac.";
    private static final String JAVA_COMPILER = "com.sun.tools.javac.main.JavaCompiler";
    private static final String PROCESSING = "com.sun.tools.javac.processing.JavacProcessingEnvironment";
    static final String PROCESSOR_PREFIX = "processor: ";
    static final String ROUNDS_PREFIX = "javac, in the processing rounds: ";
    static final String OUTSIDE_PREFIX = "javac, outside the processing rounds: ";

    /** The samples of one sampler on javac's main thread, each weighted by the milliseconds it stands for. */
    static final class Tally {
        final String sampler;
        final Map<String, Double> categories = new HashMap<>();
        final Map<String, Double> self = new HashMap<>();
        final Map<String, Double> processorSelf = new HashMap<>();
        final Map<String, Double> processorInclusive = new HashMap<>();
        final Map<String, Double> javapoetInclusive = new HashMap<>();
        final Map<String, Double> javacInclusive = new HashMap<>();
        double millis;
        int samples;
        int truncated;
        int withoutStack;
        int otherThreads;

        Tally(String sampler) {
            this.sampler = sampler;
        }

        void add(List<RecordedFrame> frames, double weight) {
            samples++;
            millis += weight;
            self.merge(method(frames.getFirst()), weight, Double::sum);
            int outermostProcessor = -1;
            for (int i = frames.size() - 1; i >= 0; i--) {
                if (className(frames.get(i)).startsWith(PROCESSOR_PACKAGE)) {
                    outermostProcessor = i;
                    break;
                }
            }
            if (outermostProcessor >= 0) {
                categories.merge(PROCESSOR_PREFIX + processorPart(frames, outermostProcessor), weight, Double::sum);
                processorSelf.merge(method(frames.getFirst()), weight, Double::sum);
                addInclusive(frames, PROCESSOR_PACKAGE, processorInclusive, weight);
                addInclusive(frames, JAVAPOET_PACKAGE, javapoetInclusive, weight);
                addInclusive(frames, RELOCATED_JAVAPOET_PACKAGE, javapoetInclusive, weight);
            } else {
                categories.merge(javacPhase(frames), weight, Double::sum);
                addInclusive(frames, JAVAC_PACKAGE, javacInclusive, weight);
            }
        }

        double subtotal(String prefix) {
            return categories.entrySet().stream().filter(entry -> entry.getKey().startsWith(prefix))
                    .mapToDouble(Map.Entry::getValue).sum();
        }
    }

    /** JDK 25's CPU-time sampler (JEP 509): each sample stands for the thread's CPU time since the last one. */
    private final Tally cpuTime = new Tally("jdk.CPUTimeSample, weighted by each sample's CPU-time period");
    /** The classic sampler: threads running Java code, at a fixed period; the fallback where JEP 509 is absent. */
    private final Tally execution;
    private long lostCpuSamples;
    private double gcPauseMillis;
    private int gcCount;
    private long heapPeakBytes;
    private long jitMillis = -1;

    private Profile(int executionPeriodMillis) {
        this.execution = new Tally("jdk.ExecutionSample, " + executionPeriodMillis + " ms per sample");
    }

    static Profile read(Path recording, int executionPeriodMillis) throws IOException {
        Profile profile = new Profile(executionPeriodMillis);
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            switch (event.getEventType().getName()) {
                case "jdk.CPUTimeSample" -> profile.sample(profile.cpuTime, event, "eventThread",
                        event.getDuration("samplingPeriod").toNanos() / 1e6);
                case "jdk.CPUTimeSamplesLost" -> profile.lostCpuSamples += event.getLong("lostSamples");
                case "jdk.ExecutionSample" -> profile.sample(profile.execution, event, "sampledThread",
                        executionPeriodMillis);
                case "jdk.GarbageCollection" -> {
                    profile.gcCount++;
                    profile.gcPauseMillis += event.getDuration("sumOfPauses").toNanos() / 1e6;
                }
                case "jdk.GCHeapSummary" -> profile.heapPeakBytes = Math.max(profile.heapPeakBytes,
                        event.getLong("heapUsed"));
                case "jdk.CompilerStatistics" -> profile.jitMillis = Math.max(profile.jitMillis,
                        event.getDuration("totalTimeSpent").toMillis());
                default -> {
                }
            }
        }
        return profile;
    }

    /** The CPU-time samples where the JDK recorded them, else the execution samples. */
    Tally primary() {
        return cpuTime.samples > 0 ? cpuTime : execution;
    }

    private void sample(Tally tally, RecordedEvent event, String threadField, double weight) {
        var thread = event.getThread(threadField);
        if (thread == null || !"main".equals(thread.getJavaName())) {
            tally.otherThreads++;
            return;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
            tally.withoutStack++;
            return;
        }
        if (stack.isTruncated()) {
            tally.truncated++;
        }
        tally.add(stack.getFrames(), weight); // innermost frame first
    }

    /** What runs above the processor's outermost frame, the most specific evidence first. */
    private static String processorPart(List<RecordedFrame> frames, int outermostProcessor) {
        boolean classLoading = false;
        boolean fileCreation = false;
        boolean io = false;
        boolean javapoet = false;
        boolean emitting = false;
        boolean compilerModel = false;
        for (int i = 0; i < outermostProcessor; i++) {
            String type = javapoetName(className(frames.get(i)));
            String name = frames.get(i).getMethod().getName();
            if (type.startsWith("jdk.internal.loader.") || type.equals("java.lang.ClassLoader")) {
                classLoading = true;
            } else if (type.equals("com.sun.tools.javac.processing.JavacFiler")) {
                fileCreation = true;
            } else if (type.startsWith("java.io.") || type.startsWith("sun.nio.") || type.startsWith("java.nio.")
                    || type.startsWith("com.sun.tools.javac.processing.JavacFiler$")) {
                io = true;
            } else if (type.startsWith(JAVAPOET_PACKAGE)) {
                javapoet = true;
                if (type.equals(JAVAPOET_PACKAGE + "JavaFile") && name.startsWith("writeTo")
                        || type.startsWith(JAVAPOET_PACKAGE + "CodeWriter")
                        || type.startsWith(JAVAPOET_PACKAGE + "LineWrapper")) {
                    emitting = true;
                }
            } else if (type.startsWith("com.sun.tools.javac.")) {
                compilerModel = true;
            }
        }
        if (classLoading) {
            return "loading the processor's and JavaPoet's classes";
        }
        if (fileCreation) {
            return "Filer: creating the source files";
        }
        if (io && emitting) {
            return "JavaPoet emitting: the Filer's Writer encoding each char and string";
        }
        if (io) {
            return "I/O outside emitting";
        }
        if (emitting) {
            return "JavaPoet emitting: formatting source text (CodeWriter, LineWrapper)";
        }
        if (javapoet) {
            return "JavaPoet: building specs (CodeBlock, MethodSpec, TypeSpec builders)";
        }
        if (compilerModel) {
            return "javac element and type utilities, called by the processor";
        }
        return "the processor's own code (validation, model, writers)";
    }

    /** A JavaPoet class's name under its own package, relocated or not; other names as they are. */
    private static String javapoetName(String type) {
        return type.startsWith(RELOCATED_JAVAPOET_PACKAGE)
                ? JAVAPOET_PACKAGE + type.substring(RELOCATED_JAVAPOET_PACKAGE.length()) : type;
    }

    private static String javacPhase(List<RecordedFrame> frames) {
        String round = null;
        String phase = null;
        for (RecordedFrame frame : frames) { // innermost first
            String type = className(frame);
            if (phase == null && type.equals(JAVA_COMPILER)) {
                phase = phaseName(frame.getMethod().getName());
            }
            if (round == null && type.startsWith(PROCESSING)) {
                round = frame.getMethod().getName();
            }
        }
        if (phase == null) {
            return "outside JavaCompiler (launcher, option parsing, class loading)";
        }
        if (round == null) {
            return OUTSIDE_PREFIX + phase;
        }
        if (phase.equals("processAnnotations") || phase.equals("compiler set-up")) {
            phase = "setting up rounds (Round." + round + ")";
        }
        return ROUNDS_PREFIX + phase;
    }

    private static String phaseName(String method) {
        return switch (method) {
            case "parse", "parseFiles", "readSource" -> "parse";
            case "enterTrees", "enterDone", "complete", "initModules", "enterModules" -> "enter";
            case "attribute" -> "attribute";
            case "flow" -> "flow";
            case "desugar" -> "desugar (lower)";
            case "generate", "genCode" -> "generate class files";
            case "<init>" -> "compiler set-up";
            default -> method;
        };
    }

    private static void addInclusive(List<RecordedFrame> frames, String prefix, Map<String, Double> into,
            double weight) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (RecordedFrame frame : frames) {
            if (className(frame).startsWith(prefix)) {
                String method = method(frame);
                if (seen.add(method)) {
                    into.merge(method, weight, Double::sum);
                }
            }
        }
    }

    private static String className(RecordedFrame frame) {
        return frame.getMethod().getType().getName();
    }

    private static String method(RecordedFrame frame) {
        String type = className(frame);
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
    }

    String report(CompileTimeBenchmark.Build build, Javac.Result run, List<Integer> rounds) {
        Tally tally = primary();
        StringBuilder text = new StringBuilder();
        text.append("Profiled run of the ").append(build.label).append(" build (").append(build.description)
                .append("), recording included: ").append(run.toString().strip()).append(".\n");
        text.append("javac rounds (input files per round): ").append(rounds).append('\n');
        text.append(String.format(Locale.ROOT,
                "Sampler: %s. Main thread: %d samples, %.0f ms; %d without a stack, %d truncated; %d samples of"
                        + " other threads ignored%s.%n", tally.sampler, tally.samples, tally.millis,
                tally.withoutStack, tally.truncated, tally.otherThreads,
                tally == cpuTime ? String.format(Locale.ROOT, "; %d CPU-time samples lost", lostCpuSamples) : ""));
        text.append(String.format(Locale.ROOT,
                "GC: %d collections, %.0f ms of pauses, heap peak %d MB at a collection. JIT: %s.%n%n",
                gcCount, gcPauseMillis, heapPeakBytes / (1024 * 1024),
                jitMillis < 0 ? "not recorded" : jitMillis + " ms of compilation, summed over the compiler threads"));
        text.append(String.format(Locale.ROOT, "%-82s %8s %6s%n", "where javac's main thread spends its CPU", "ms",
                "share"));
        tally.categories.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> line(text, entry.getKey(), entry.getValue(), tally.millis));
        text.append('\n');
        line(text, "subtotal: with a processor frame on the stack", tally.subtotal(PROCESSOR_PREFIX), tally.millis);
        line(text, "subtotal: javac in the processing rounds, outside the processor", tally.subtotal(ROUNDS_PREFIX),
                tally.millis);
        line(text, "subtotal: javac outside the processing rounds", tally.subtotal(OUTSIDE_PREFIX), tally.millis);
        text.append('\n');
        top(text, "Processor methods, inclusive", tally.processorInclusive, tally.millis, 20);
        top(text, "JavaPoet methods under the processor, inclusive", tally.javapoetInclusive, tally.millis, 15);
        top(text, "Innermost frames under the processor (self time)", tally.processorSelf, tally.millis, 15);
        top(text, "javac methods outside the processor, inclusive", tally.javacInclusive, tally.millis, 60);
        top(text, "Innermost frames overall (self time)", tally.self, tally.millis, 20);
        return text.toString();
    }

    private static void line(StringBuilder text, String label, double millis, double total) {
        text.append(String.format(Locale.ROOT, "%-82s %8.0f %5.1f%%%n", label, millis, 100 * millis / total));
    }

    private static void top(StringBuilder text, String title, Map<String, Double> weights, double total, int limit) {
        text.append(title).append('\n');
        weights.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(limit)
                .forEach(entry -> line(text, "  " + entry.getKey(), entry.getValue(), total));
        text.append('\n');
    }
}
