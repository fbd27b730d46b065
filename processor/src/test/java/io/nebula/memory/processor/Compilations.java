package io.nebula.memory.processor;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jdt.internal.compiler.tool.EclipseCompiler;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import javax.tools.DiagnosticListener;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;

/** Compiles test sources with the processor and loads what they compile to. */
final class Compilations {
    private Compilations() {
    }

    private static final Path SOURCES = createSourceRoot();
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** The compilers the processor is tested under. */
    enum Toolchain {
        /** The JDK's compiler, with its tree API: the full lifetime check. */
        JAVAC,
        /** The Eclipse compiler (ECJ): no tree API, so scopes are checked by their return types. */
        ECJ;

        /** Whether the compiler offers the {@code com.sun.source} tree API to processors. */
        boolean hasTreeApi() {
            return this == JAVAC;
        }
    }

    private static Path createSourceRoot() {
        try {
            Path root = Files.createTempDirectory("nebula-processor-sources");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> files = Files.walk(root)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
                } catch (IOException e) {
                    // a temporary folder left behind: nothing to report at exit
                }
            }));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A source file from its lines, written to disk: ECJ reads sources only from files, and one file object serves
     * both compilers, so that assertions name the same file under each.
     */
    static JavaFileObject source(String qualifiedName, String... lines) {
        Path file = SOURCES.resolve(Integer.toString(NEXT.incrementAndGet()))
                .resolve(qualifiedName.replace('.', '/') + ".java");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            return JavaFileObjects.forResource(file.toUri().toURL());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles under javac with the processor and the flags the project's own code compiles with. */
    static Compilation compile(JavaFileObject... sources) {
        return compile(Toolchain.JAVAC, sources);
    }

    /**
     * ECJ as compile-testing drives it, without its console output. compile-testing gives the compiler no writer,
     * and ECJ then prints every problem on System.err besides reporting it to the diagnostic listener, which the
     * tests read; here the missing writer is one that discards.
     */
    private static final class QuietEclipseCompiler extends EclipseCompiler {
        @Override
        public CompilationTask getTask(Writer out, JavaFileManager fileManager,
                DiagnosticListener<? super JavaFileObject> listener, Iterable<String> options,
                Iterable<String> classes, Iterable<? extends JavaFileObject> units) {
            return super.getTask(out != null ? out : Writer.nullWriter(), fileManager, listener, options, classes,
                    units);
        }
    }

    /**
     * Compiles with the processor, warnings as errors: under javac with {@code -Xlint:all -Werror}, under ECJ with
     * its default warnings and {@code -failOnWarning}. ECJ reads sources from disk only: {@link #source} writes
     * them there for both compilers.
     */
    static Compilation compile(Toolchain toolchain, JavaFileObject... sources) {
        return compiler(toolchain).withProcessors(new NebulaProcessor()).compile(List.of(sources));
    }

    /** The compiler with warnings as errors, without processors. */
    static Compiler compiler(Toolchain toolchain) {
        return switch (toolchain) {
            case JAVAC -> javac().withOptions("--release", "25", "-Xlint:all", "-Werror");
            // -warn:-warningToken: test sources carry javac's @SuppressWarnings("this-escape"), a token ECJ lacks.
            case ECJ -> Compiler.compiler(new QuietEclipseCompiler()).withOptions("--release", "25", "-proc:full",
                    "-failOnWarning", "-warn:-warningToken", "-classpath", System.getProperty("java.class.path"));
        };
    }

    /**
     * Asserts an error with the text, on the line, under javac. Under ECJ, whose messager places nothing on a
     * record or its components, an error about a record lands on the nearest enclosing type, or has no position
     * for a top-level record: there the error must be in the file when it has a position at all.
     */
    static void assertErrorAt(Toolchain toolchain, Compilation compilation, String text, JavaFileObject file,
            String line) {
        if (toolchain == Toolchain.JAVAC) {
            com.google.testing.compile.CompilationSubject.assertThat(compilation).hadErrorContaining(text)
                    .inFile(file).onLineContaining(line);
            return;
        }
        com.google.testing.compile.CompilationSubject.assertThat(compilation).hadErrorContaining(text);
        for (javax.tools.Diagnostic<? extends JavaFileObject> error : compilation.errors()) {
            if (error.getMessage(null).contains(text) && error.getSource() != null) {
                if (!error.getSource().toUri().getPath().equals(file.toUri().getPath())) {
                    throw new AssertionError("error in " + error.getSource().toUri() + ", not " + file.toUri());
                }
            }
        }
    }

    /** The generated source of a type, as UTF-8 text. */
    static String generatedSource(Compilation compilation, String qualifiedName) {
        JavaFileObject file = compilation.generatedSourceFile(qualifiedName)
                .orElseThrow(() -> new AssertionError("no generated source " + qualifiedName));
        try {
            return file.getCharContent(true).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of a golden file under {@code goldens/}. */
    static String golden(String name) {
        try (InputStream in = Compilations.class.getResourceAsStream("/goldens/" + name)) {
            if (in == null) {
                throw new AssertionError("no golden file goldens/" + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The text of a golden file as the processor writes it under a toolchain: under ECJ, which runs no doclint and
     * warns about a {@code @SuppressWarnings} token it does not know, a struct class has no
     * {@code @SuppressWarnings("doclint:missing")}.
     */
    static String golden(String name, Toolchain toolchain) {
        String text = golden(name);
        return toolchain == Toolchain.ECJ ? text.replace("@SuppressWarnings(\"doclint:missing\")\n", "") : text;
    }

    /** Loads the classes of a successful compilation. */
    static Loaded load(Compilation compilation) {
        Map<String, byte[]> classes = new HashMap<>();
        for (JavaFileObject file : compilation.generatedFiles()) {
            if (file.getKind() != JavaFileObject.Kind.CLASS) {
                continue;
            }
            String path = file.toUri().getPath();
            String name = path.substring(path.indexOf("/CLASS_OUTPUT/") + "/CLASS_OUTPUT/".length(),
                    path.length() - ".class".length()).replace('/', '.');
            try (InputStream in = file.openInputStream()) {
                classes.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Loaded(classes);
    }

    /** Classes loaded from a compilation, with reflective shortcuts for tests. */
    static final class Loaded extends ClassLoader {
        private final Map<String, byte[]> classes;

        Loaded(Map<String, byte[]> classes) {
            super(Compilations.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.get(name);
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }

        Class<?> type(String name) {
            try {
                return loadClass(name);
            } catch (ClassNotFoundException e) {
                throw new AssertionError("not compiled: " + name + " (have " + classes.keySet() + ")", e);
            }
        }

        /** The value of a public static field. */
        Object constant(String type, String field) {
            try {
                Field f = type(type).getField(field);
                return f.get(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }

        /** Calls a public method by name and argument count; static if {@code target} is a class name. */
        Object call(Object target, String method, Object... args) {
            Class<?> type = target instanceof String name ? type(name) : target.getClass();
            Object receiver = target instanceof String ? null : target;
            for (Method m : type.getMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == args.length && accepts(m, args)) {
                    try {
                        return m.invoke(receiver, args);
                    } catch (InvocationTargetException e) {
                        if (e.getCause() instanceof RuntimeException runtime) {
                            throw runtime;
                        }
                        throw new AssertionError(e.getCause());
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) { // package-private generated code
                    if (m.getName().equals(method) && m.getParameterCount() == args.length && accepts(m, args)) {
                        try {
                            m.setAccessible(true);
                            return m.invoke(receiver, args);
                        } catch (InvocationTargetException e) {
                            if (e.getCause() instanceof RuntimeException runtime) {
                                throw runtime;
                            }
                            throw new AssertionError(e.getCause());
                        } catch (IllegalAccessException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            }
            throw new AssertionError("no method " + method + " with " + args.length + " arguments in " + type);
        }

        private static boolean accepts(Method method, Object[] args) {
            Class<?>[] parameters = method.getParameterTypes();
            for (int i = 0; i < args.length; i++) {
                Class<?> p = parameters[i];
                if (p.isPrimitive()) {
                    if (args[i] == null || !wrapper(p).isInstance(args[i])) {
                        return false;
                    }
                } else if (args[i] != null && !p.isInstance(args[i])) {
                    return false;
                }
            }
            return true;
        }

        private static Class<?> wrapper(Class<?> primitive) {
            return switch (primitive.getName()) {
                case "byte" -> Byte.class;
                case "short" -> Short.class;
                case "char" -> Character.class;
                case "int" -> Integer.class;
                case "long" -> Long.class;
                case "float" -> Float.class;
                case "double" -> Double.class;
                case "boolean" -> Boolean.class;
                default -> throw new IllegalArgumentException(primitive.getName());
            };
        }

        /** Creates a record (or any object) through its only public constructor. */
        Object newInstance(String type, Object... args) {
            try {
                return type(type).getConstructors()[0].newInstance(args);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }
}
