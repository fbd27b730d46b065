package io.nebula.memory.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles every {@code java} code block of README.md, with the annotation processor, and runs the blocks that
 * are statements. A block that declares a type becomes its own source file; any other block becomes the body of
 * a method. Each file gets the imports a reader of the README would write. A statement block followed by
 * "prints" and a {@code text} block must print exactly that text.
 */
class ReadmeSnippetsTest {

    /** A java block, optionally followed by "prints" and the text block it must print. */
    private static final Pattern JAVA_BLOCK =
            Pattern.compile("```java\\n(.*?)```(?:\\s*prints\\s*```text\\n(.*?)```)?", Pattern.DOTALL);
    private static final Pattern TYPE_DECLARATION =
            Pattern.compile("^(?:@\\w+(?:\\([^)]*\\))?\\s+)*public\\s+(?:final\\s+|abstract\\s+)?(?:record|class|interface)\\s+(\\w+)",
                    Pattern.MULTILINE);
    private static final String IMPORTS = """
            package readme;

            import io.nebula.memory.*;
            import io.nebula.memory.annotation.*;
            import io.nebula.memory.async.*;
            import io.nebula.memory.bump.*;
            import io.nebula.memory.compression.*;
            import io.nebula.memory.management.*;
            import io.nebula.memory.pool.*;
            import io.nebula.memory.simd.*;
            import io.nebula.memory.stack.*;
            import java.lang.foreign.*;
            import java.util.*;
            import java.util.concurrent.*;

            """;

    @TempDir
    Path work;

    @Test
    void everyJavaBlockOfTheReadmeCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher blocks = JAVA_BLOCK.matcher(readme);
        Path sources = Files.createDirectories(work.resolve("src/readme"));
        List<Path> files = new ArrayList<>();
        List<String> runnable = new ArrayList<>();
        Map<String, String> expectedOutput = new HashMap<>();
        int n = 0;
        while (blocks.find()) {
            String code = blocks.group(1);
            Matcher type = TYPE_DECLARATION.matcher(code);
            if (type.find()) {
                files.add(write(sources, type.group(1), IMPORTS + code));
            } else {
                String name = "Snippet" + (++n);
                runnable.add(name);
                if (blocks.group(2) != null) {
                    expectedOutput.put(name, blocks.group(2));
                }
                files.add(write(sources, name, IMPORTS + "public final class " + name + " {\n"
                        + "    public static void run() throws Throwable {\n" + code.indent(8)
                        + "    }\n}\n"));
            }
        }
        assertFalse(runnable.isEmpty(), "README.md has no java blocks");
        assertFalse(expectedOutput.isEmpty(), "README.md shows no output to check");

        Path classes = Files.createDirectories(work.resolve("classes"));
        compile(files, classes);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            for (String name : runnable) {
                Method run = loader.loadClass("readme." + name).getMethod("run");
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                PrintStream original = System.out;
                System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
                try {
                    run.invoke(null);
                } catch (InvocationTargetException e) {
                    throw new AssertionError("README block " + name + " threw", e.getCause());
                } finally {
                    System.setOut(original);
                }
                if (expectedOutput.containsKey(name)) {
                    assertEquals(expectedOutput.get(name), captured.toString(StandardCharsets.UTF_8),
                            "what README block " + name + " prints");
                }
            }
        }
    }

    private static Path write(Path dir, String name, String source) throws IOException {
        return Files.writeString(dir.resolve(name + ".java"), source, StandardCharsets.UTF_8);
    }

    private static void compile(List<Path> files, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classPath = System.getProperty("java.class.path");
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "25", "-d", classes.toString(), "-classpath", classPath,
                    "-processorpath", classPath, "-proc:full", "-s", classes.toString());
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files))
                    .call();
            StringBuilder report = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    report.append(d).append('\n');
                }
            }
            assertTrue(ok, () -> "README code does not compile:\n" + report);
        }
    }
}
