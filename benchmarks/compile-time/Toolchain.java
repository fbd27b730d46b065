import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The jars and the compiler the benchmark uses, found in the build's target folders and the Maven repository. */
record Toolchain(Path javac, String javacVersion, List<Path> classPath, List<Path> processorPath) {

    static Toolchain locate(Options options) throws IOException, InterruptedException {
        Path root = options.repository();
        Path pom = root.resolve("pom.xml");
        if (!Files.isRegularFile(pom) || !Files.isDirectory(root.resolve("processor"))) {
            throw new CompileTimeBenchmark.BenchmarkException(root + " is not the nebula-memory repository root"
                    + " (no pom.xml and processor/ there): run from the root, or pass --repo DIR");
        }
        Path annotations = moduleJar(root, "annotations");
        Path runtime = moduleJar(root, "runtime");
        Path processor = moduleJar(root, "processor");
        warnIfStale(root.resolve("annotations"), annotations);
        warnIfStale(root.resolve("runtime"), runtime);
        warnIfStale(root.resolve("processor"), processor);
        String javapoetVersion = pomProperty(pom, "javapoet.version");
        Path javapoet = options.mavenRepository().resolve(Path.of("com", "palantir", "javapoet", "javapoet",
                javapoetVersion, "javapoet-" + javapoetVersion + ".jar"));
        if (!Files.isRegularFile(javapoet)) {
            throw new CompileTimeBenchmark.BenchmarkException("JavaPoet " + javapoetVersion + " is not in the local"
                    + " Maven repository (" + javapoet + "): build once with mvn -B -ntp -q package -DskipTests"
                    + " -pl annotations,runtime,processor, or pass --maven-repo DIR");
        }
        if (!Files.isExecutable(options.javac())) {
            throw new CompileTimeBenchmark.BenchmarkException("no javac at " + options.javac()
                    + ": run with a JDK 25 java, or pass --javac PATH");
        }
        String version = javacVersion(options.javac());
        Matcher feature = Pattern.compile("javac (\\d+)").matcher(version);
        if (!feature.find() || Integer.parseInt(feature.group(1)) < 25) {
            throw new CompileTimeBenchmark.BenchmarkException(options.javac() + " is " + version
                    + "; the project needs JDK 25 or later: run with a JDK 25 java, or pass --javac PATH");
        }
        // The processor reads its annotations' classes, so they go on the processor path as Maven would put them.
        return new Toolchain(options.javac(), version, List.of(annotations, runtime),
                List.of(processor, annotations, javapoet));
    }

    private static Path moduleJar(Path root, String module) throws IOException {
        Path target = root.resolve(module).resolve("target");
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                files.filter(file -> {
                    String name = file.getFileName().toString();
                    return name.startsWith("nebula-memory-" + module + "-") && name.endsWith(".jar")
                            && !name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar")
                            && !name.endsWith("-tests.jar");
                }).forEach(jars::add);
            }
        }
        if (jars.size() != 1) {
            throw new CompileTimeBenchmark.BenchmarkException((jars.isEmpty() ? "no jar" : "several jars " + jars)
                    + " of " + module + " in " + target + ": build them first with"
                    + " mvn -B -ntp -q package -DskipTests -pl annotations,runtime,processor");
        }
        return jars.getFirst();
    }

    private static String pomProperty(Path pom, String property) throws IOException {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)</").matcher(Files.readString(pom));
        if (!matcher.find()) {
            throw new CompileTimeBenchmark.BenchmarkException("no <" + property + "> in " + pom);
        }
        return matcher.group(1).trim();
    }

    /** Warns when a module's main sources changed after its jar was built: the numbers would be of old code. */
    private static void warnIfStale(Path module, Path jar) throws IOException {
        Path sources = module.resolve(Path.of("src", "main"));
        if (!Files.isDirectory(sources)) {
            return;
        }
        FileTime built = Files.getLastModifiedTime(jar);
        try (Stream<Path> files = Files.walk(sources)) {
            Optional<Path> newer = files.filter(Files::isRegularFile).filter(file -> {
                try {
                    return Files.getLastModifiedTime(file).compareTo(built) > 0;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).findFirst();
            newer.ifPresent(file -> System.err.println("warning: " + file + " is newer than " + jar.getFileName()
                    + ": rebuild with mvn -B -ntp -q package -DskipTests -pl annotations,runtime,processor"));
        }
    }

    private static String javacVersion(Path javac) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(javac.toString(), "-version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        process.waitFor();
        return output;
    }

    static String path(List<Path> jars) {
        return String.join(java.io.File.pathSeparator, jars.stream().map(Path::toString).toList());
    }
}
