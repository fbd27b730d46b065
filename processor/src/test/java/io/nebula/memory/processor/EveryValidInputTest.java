package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import io.nebula.memory.processor.Compilations.Toolchain;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every valid input generates code that compiles warning-free ({@code -Xlint:all -Werror} under javac,
 * {@code -failOnWarning} under ECJ) and works: auxiliary classes, the unnamed package, types nested in interfaces,
 * generic outers and records, and names that shadow the types generated code uses.
 */
class EveryValidInputTest {

    /** One input: its source files, the generated class to load, and the expected value of a call on it. */
    private record Input(String name, List<JavaFileObject> sources, String factory, String method, Object expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static JavaFileObject source(String name, String... lines) {
        return Compilations.source(name, lines);
    }

    static Stream<Input> inputs() {
        return Stream.of(
                new Input("the unnamed package", List.of(
                        source("Point", "import io.nebula.memory.annotation.*;",
                                "@Struct public record Point(int x, int y) {}"),
                        source("Handler", "import io.nebula.memory.annotation.*;",
                                "@Allocator(kind = AllocatorKind.STACK, size = 256)",
                                "public abstract class Handler {",
                                "    @Alloc protected abstract PointStruct.View point(int x, int y);",
                                "    @MemoryScope public int sum() {",
                                "        PointStruct.View p = point(1, 2);",
                                "        return p.x() + p.y();",
                                "    }",
                                "}")), "Handler_Memory", "sum", 3),
                new Input("types nested in an interface", List.of(
                        source("nest.Api", "package nest;", "import io.nebula.memory.annotation.*;",
                                "public interface Api {",
                                "    @Struct record Point(int x, int y) {}",
                                "    @Allocator(kind = AllocatorKind.BUMP, size = 256)",
                                "    abstract class Handler {",
                                "        @Alloc protected abstract Api_PointStruct.View point(int x, int y);",
                                "        @MemoryScope public int sum() { return point(2, 5).x() + point(0, 5).y(); }",
                                "    }",
                                "}")), "nest.Api_Handler_Memory", "sum", 7),
                new Input("types nested in a generic class", List.of(
                        source("gen.Outer", "package gen;", "import io.nebula.memory.annotation.*;",
                                "public class Outer<T extends Comparable<T>> {",
                                "    @Struct public record Point(int x, int y) {}",
                                "    @Allocator(kind = AllocatorKind.BUMP, size = 256)",
                                "    public abstract static class Handler<E> {",
                                "        @Alloc protected abstract Outer_PointStruct.View point(int x, int y);",
                                "        @MemoryScope public <R extends E> int sum(R ignored) {",
                                "            return point(4, 4).x() + point(1, 1).y();",
                                "        }",
                                "    }",
                                "}")), "gen.Outer_Handler_Memory", "sum", 5),
                new Input("a struct nested in a record", List.of(
                        source("rec.Shape", "package rec;", "import io.nebula.memory.annotation.*;",
                                "public record Shape(String name) {",
                                "    @Struct public record Point(int x, int y) {}",
                                "}"),
                        source("rec.Handler", "package rec;", "import io.nebula.memory.annotation.*;",
                                "@Allocator(kind = AllocatorKind.POOL, block = Shape.Point.class, blockCount = 4)",
                                "public abstract class Handler {",
                                "    @Alloc protected abstract Shape_PointStruct.View point(int x, int y);",
                                "    @MemoryScope public int sum() { return point(6, 1).x(); }",
                                "}")), "rec.Handler_Memory", "sum", 6),
                new Input("types named like those generated code uses", List.of(
                        source("shadow.Objects", "package shadow;", "import io.nebula.memory.annotation.*;",
                                "@Struct public record Objects(int x) {}"),
                        source("shadow.Math", "package shadow;", "public final class Math { private Math() {} }"),
                        source("shadow.Override", "package shadow;", "public @interface Override {}"),
                        source("shadow.MemorySegment", "package shadow;", "public final class MemorySegment {",
                                "    private MemorySegment() {}", "}"),
                        source("shadow.Handler", "package shadow;", "import io.nebula.memory.annotation.*;",
                                "@Allocator(kind = AllocatorKind.BUMP, size = 256)",
                                "public abstract class Handler {",
                                "    /** A nested type named like a runtime type. */",
                                "    public static final class Scope {}",
                                "    /** Another. */",
                                "    public static final class BumpAllocator {}",
                                "    @Alloc protected abstract ObjectsStruct.View objects(int x);",
                                "    @MemoryScope public int run() { return objects(9).x(); }",
                                "}")), "shadow.Handler_Memory", "run", 9),
                new Input("records whose names contain an underscore", List.of(
                        source("under.Shapes", "package under;", "import io.nebula.memory.annotation.*;",
                                "public final class Shapes {",
                                "    private Shapes() {}",
                                "    @Struct public record Big_Point(int x, int y) {}",
                                "}"),
                        source("under.Handler", "package under;", "import io.nebula.memory.annotation.*;",
                                "@Allocator(kind = AllocatorKind.BUMP, size = 256)",
                                "public abstract class Handler {",
                                "    @Alloc protected abstract Shapes_Big_PointStruct.View point(int x, int y);",
                                "    @MemoryScope public int run() { return point(2, 9).y(); }",
                                "}")), "under.Handler_Memory", "run", 9),
                new Input("structs of another package, imported by name and on demand", List.of(
                        source("geo.Point", "package geo;", "import io.nebula.memory.annotation.*;",
                                "@Struct public record Point(int x, int y) {}"),
                        source("geo.Size", "package geo;", "import io.nebula.memory.annotation.*;",
                                "@Struct public record Size(int w, int h) {}"),
                        source("app.Handler", "package app;", "import geo.*;", "import geo.PointStruct;",
                                "import io.nebula.memory.annotation.*;",
                                "@Allocator(kind = AllocatorKind.BUMP, size = 256)",
                                "public abstract class Handler {",
                                "    @Alloc protected abstract PointStruct.View point(int x, int y);",
                                "    @Alloc protected abstract SizeStruct.View size(Size value);",
                                "    @MemoryScope public int run() {",
                                "        return point(1, 2).y() + size(new Size(3, 4)).w();",
                                "    }",
                                "}")), "app.Handler_Memory", "run", 5),
                new Input("a record named View", List.of(
                        source("views.View", "package views;", "import io.nebula.memory.annotation.*;",
                                "@Struct public record View(int x) {}"),
                        source("views.Handler", "package views;", "import io.nebula.memory.annotation.*;",
                                "@Allocator(kind = AllocatorKind.BUMP, size = 256)",
                                "public abstract class Handler {",
                                "    @Alloc protected abstract ViewStruct.View view(View value);",
                                "    @MemoryScope public int run() { return view(new View(8)).x(); }",
                                "}")), "views.Handler_Memory", "run", 8));
    }

    private static JavaFileObject auxiliary() {
        return source("aux.Shapes", "package aux;", "import io.nebula.memory.annotation.*;",
                "public final class Shapes { private Shapes() {} }",
                "@Struct record Point(int x, int y) {}",
                "@Allocator(kind = AllocatorKind.BUMP, size = 256)",
                "abstract class Handler {",
                "    @Alloc abstract PointStruct.View point(int x, int y);",
                "    @MemoryScope int sum() { PointStruct.View p = point(3, 4); return p.x() + p.y(); }",
                "}");
    }

    /**
     * An annotated type in a file named after another class. javac's {@code [auxiliaryclass]} lint warns on every
     * use of it from another file, the generated one included, on signatures where no {@code @SuppressWarnings}
     * reaches: a tagged error per type says so instead. ECJ has no such lint, and generates and runs the code.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Toolchain.class)
    void anAuxiliaryClassIsOneErrorPerTypeUnderJavacAndWorksUnderEcj(Toolchain toolchain) throws Exception {
        JavaFileObject file = auxiliary();
        Compilation compilation = Compilations.compile(toolchain, file);
        if (toolchain == Toolchain.JAVAC) {
            assertThat(compilation).hadErrorCount(2);
            assertThat(compilation).hadErrorContaining("[nebula/AuxiliaryClass] aux.Point is declared in"
                    + " Shapes.java, a file named after another class, so javac's [auxiliaryclass] lint (part of"
                    + " -Xlint:all) warns on every use of it in the generated PointStruct").inFile(file)
                    .onLineContaining("record Point");
            assertThat(compilation).hadErrorContaining("[nebula/AuxiliaryClass] aux.Handler is declared in"
                    + " Shapes.java").inFile(file).onLineContaining("@Allocator");
            assertThat(compilation).hadErrorContaining("Move Handler into a file of its own, Handler.java");
            return;
        }
        assertThat(compilation).succeeded();
        assertEquals(List.of(), compilation.warnings(), "warnings");
        Compilations.Loaded loaded = Compilations.load(compilation);
        try (AutoCloseable handler = (AutoCloseable) loaded.call("aux.Handler_Memory", "create")) {
            assertEquals(7, loaded.call(handler, "sum"));
        }
    }

    static Stream<Arguments> inputsUnderEachCompiler() {
        return inputs().flatMap(input -> Stream.of(Toolchain.values()).map(t -> Arguments.of(t, input)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("inputsUnderEachCompiler")
    void generatesWarningFreeCodeThatRuns(Toolchain toolchain, Input input) throws Exception {
        Compilation compilation = Compilations.compile(toolchain, input.sources().toArray(JavaFileObject[]::new));
        assertThat(compilation).succeeded();
        assertEquals(List.of(), compilation.warnings(), "warnings");
        Compilations.Loaded loaded = Compilations.load(compilation);
        try (AutoCloseable handler = (AutoCloseable) loaded.call(input.factory(), "create")) {
            Object result = input.method().equals("sum") && input.factory().startsWith("gen.")
                    ? loaded.call(handler, "sum", (Object) null)
                    : loaded.call(handler, input.method());
            assertEquals(input.expected(), result);
        }
    }
}
