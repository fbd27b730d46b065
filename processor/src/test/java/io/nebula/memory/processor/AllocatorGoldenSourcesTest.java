package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nebula.memory.processor.Compilations.compile;
import static io.nebula.memory.processor.Compilations.golden;
import static io.nebula.memory.processor.Compilations.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated {@code @Allocator} subclasses, compared with golden files under
 * {@code src/test/resources/goldens/}. The compilations run with {@code -Xlint:all -Werror}, so a pass also means
 * the generated code is warning-free.
 */
@ParameterizedClass
@EnumSource(Toolchain.class)
class AllocatorGoldenSourcesTest {
    @Parameter
    Toolchain toolchain;


    static final JavaFileObject POINT = source("app.Point",
            "package app;",
            "import io.nebula.memory.annotation.Struct;",
            "@Struct public record Point(int x, int y) {}");

    static final JavaFileObject REQUEST_HANDLER = source("app.RequestHandler",
            "package app;",
            "import io.nebula.memory.annotation.*;",
            "import java.lang.foreign.MemorySegment;",
            "@Allocator(kind = AllocatorKind.BUMP, size = 4096, trackStats = true)",
            "public abstract class RequestHandler {",
            "    private final String name;",
            "    protected RequestHandler(String name) { this.name = name; }",
            "    RequestHandler() { this(\"default\"); }",
            "    @Alloc protected abstract PointStruct.View newPoint();",
            "    @Alloc protected abstract PointStruct.View newPoint(int x, int y);",
            "    @Alloc protected abstract PointStruct.View newPoint(Point value);",
            "    @Alloc(count = 10) protected abstract PointStruct.View points();",
            "    @Alloc(bytes = 256, alignment = 16) protected abstract MemorySegment scratch();",
            "    @MemoryScope",
            "    public int handle(byte[] request) {",
            "        PointStruct.View p = newPoint(request.length, 2);",
            "        return p.x() + p.y();",
            "    }",
            "    @MemoryScope @SuppressWarnings(\"unchecked\")",
            "    protected <T extends Comparable<T>> void visit(T first, T... rest) throws java.io.IOException {}",
            "    public String name() { return name; }",
            "}");

    static final JavaFileObject PARTICLES = source("app.Particles",
            "package app;",
            "import io.nebula.memory.annotation.*;",
            "import io.nebula.memory.pool.PoolAllocator;",
            "@Allocator(kind = AllocatorKind.POOL, block = Point.class, blockCount = 64)",
            "abstract class Particles implements AutoCloseable {",
            "    protected abstract PoolAllocator allocator();",
            "    @Alloc abstract PointStruct.View spawn(int x, int y);",
            "    @MemoryScope",
            "    long step(int n) {",
            "        long sum = 0;",
            "        for (int i = 0; i < n; i++) sum += spawn(i, i).x();",
            "        return sum;",
            "    }",
            "    @Override public void close() {}",
            "}");

    @Test
    void aBumpAllocatorClassGetsFactoriesAnAccessorCloseAllocationsAndScopes() {
        Compilation compilation = compile(toolchain, POINT, REQUEST_HANDLER);

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("app.RequestHandler_Memory")
                .contentsAsUtf8String().isEqualTo(golden("app/RequestHandler_Memory.java"));
        assertThat(compilation).generatedSourceFile("app.RequestHandler_Memory")
                .hasSourceEquivalentTo(JavaFileObjects.forSourceString("app.RequestHandler_Memory",
                        golden("app/RequestHandler_Memory.java")));
    }

    @Test
    void aPoolAllocatorClassOpensAPoolScopeAndImplementsTheDeclaredAccessorAndClose() {
        Compilation compilation = compile(toolchain, POINT, PARTICLES);

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("app.Particles_Memory")
                .contentsAsUtf8String().isEqualTo(golden("app/Particles_Memory.java"));
    }

    @Test
    void threadSafetyCheckedModeStatisticsAndAFillPatternBecomeConfigurationWithers() {
        Compilation compilation = compile(toolchain, POINT, source("app.ThreadSafe",
                "package app;",
                "import io.nebula.memory.annotation.*;",
                "@Allocator(kind = AllocatorKind.STACK, size = 512, threadSafe = true, checked = true,",
                "        trackStats = true, fillPattern = -1)",
                "abstract class ThreadSafe { @MemoryScope void run() {} }"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("app.ThreadSafe_Memory").contentsAsUtf8String()
                .contains("return StackAllocator.create(512L, StackConfig.defaults().withThreadSafe(true)"
                        + ".withTrackStats(true).withFillPattern((byte) 0xFF).withChecked(true)\n"
                        + "                .withOrigin(ConfigOrigin.allocatorAnnotation(\"app.ThreadSafe\")));");
    }

    @Test
    void aThreadSafeStackClassSaysThatEachThreadHasAStackOfItsOwn() {
        Compilation compilation = compile(toolchain, POINT, source("app.Shared",
                "package app;",
                "import io.nebula.memory.annotation.*;",
                "@Allocator(kind = AllocatorKind.STACK, size = 4096, threadSafe = true)",
                "abstract class Shared { @MemoryScope void run() {} }"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("app.Shared_Memory").contentsAsUtf8String()
                .contains(" * <p>Thread-safe: any thread may call it. Each thread pushes onto a stack of its own"
                        + " within the\n * budget, so a scope releases only what its own thread allocated in it.\n");
    }

    @Test
    void aStackAllocatorClassOpensAStackScope() {
        Compilation compilation = compile(toolchain, POINT, source("app.Parser",
                "package app;",
                "import io.nebula.memory.annotation.*;",
                "@Allocator(kind = AllocatorKind.STACK, size = 1024, fillPattern = 0xAA)",
                "public abstract class Parser {",
                "    @Alloc abstract PointStruct.View token(int x);",
                "    @MemoryScope public void parse(String allocator) { token(allocator.length()); }",
                "}"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("app.Parser_Memory")
                .contentsAsUtf8String().isEqualTo(golden("app/Parser_Memory.java"));
    }
}
