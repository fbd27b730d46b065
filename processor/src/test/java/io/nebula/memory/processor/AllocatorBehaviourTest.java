package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.bump.BumpAllocator;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import javax.tools.JavaFileObject;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated subclasses, loaded and run against real allocators of every kind: what a scope allocates is
 * released on return and on throw, in nested and recursive calls, and across a million calls.
 */
@ParameterizedClass
@EnumSource(Toolchain.class)
class AllocatorBehaviourTest {
    @Parameter
    Toolchain toolchain;

    private static Compilations.Loaded loaded;

    private static final List<String> KINDS = List.of(
            "kind = AllocatorKind.BUMP, size = 65536",
            "kind = AllocatorKind.STACK, size = 65536",
            "kind = AllocatorKind.POOL, block = Point.class, blockCount = 1024",
            "kind = AllocatorKind.POOL, block = Point.class, blockCount = 1024, threadSafe = true");

    private static JavaFileObject probe(String name, String allocator) {
        return Compilations.source("probe." + name,
                "package probe;",
                "import io.nebula.memory.MemoryUsage;",
                "import io.nebula.memory.annotation.*;",
                "@Allocator(" + allocator + ")",
                "public abstract class " + name + " implements io.nebula.memory.processor.ScopedProbe {",
                "    private long deepest;",
                "    @SuppressWarnings(\"this-escape\")",
                "    protected " + name + "() { newPoint(7, 7); }   // @Alloc works in the constructor",
                "    @Override public abstract MemoryUsage allocator();",
                "    @Alloc protected abstract PointStruct.View newPoint(int x, int y);",
                "    @MemoryScope @Override public int sum(int x, int y) {",
                "        PointStruct.View p = newPoint(x, y);",
                "        return p.x() + p.y();",
                "    }",
                "    @MemoryScope @Override public void throwUnchecked(RuntimeException e) {",
                "        newPoint(1, 1);",
                "        throw e;",
                "    }",
                "    @MemoryScope @Override public void throwChecked(Exception e) throws Exception {",
                "        newPoint(1, 1);",
                "        throw e;",
                "    }",
                "    @MemoryScope @Override public long recurse(int depth) {",
                "        newPoint(depth, depth);",
                "        deepest = Math.max(deepest, allocator().usedBytes());",
                "        return depth == 0 ? allocator().usedBytes() : recurse(depth - 1);",
                "    }",
                "    @Override public long deepest() { return deepest; }",
                "    @MemoryScope @Override public boolean nested() {",
                "        newPoint(1, 2);",
                "        long before = allocator().usedBytes();",
                "        sum(3, 4);",
                "        return allocator().usedBytes() == before;",
                "    }",
                "    @MemoryScope @Override @SuppressWarnings(\"unchecked\") public <T> int count(T... values) {",
                "        newPoint(values.length, 0);",
                "        return values.length;",
                "    }",
                "}");
    }

    /**
     * The leak reports of the run. A probe's constructor allocates a point outside any scope, which lives until the
     * probe is closed: a pool or a stack then reports it as a live allocation, through the runtime's logger. The
     * reports are captured here, kept out of the build's output, and checked once every test has run.
     */
    private static final List<String> leakReports = new CopyOnWriteArrayList<>();
    private static final Logger runtimeLogger = Logger.getLogger("io.nebula.memory");
    private static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            leakReports.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void captureLeakReports() {
        runtimeLogger.addHandler(capture);
        runtimeLogger.setUseParentHandlers(false);
    }

    @AfterAll
    static void onlyTheConstructorsPointsLeaked() {
        runtimeLogger.removeHandler(capture);
        runtimeLogger.setUseParentHandlers(true);
        assertFalse(leakReports.isEmpty(), "no probe reported its constructor's point");
        for (String report : leakReports) {
            assertTrue(report.matches("WARNING (PoolAllocator|StackAllocator)\\[.*\\] closed with 1 live"
                    + " allocation\\(s\\) holding 8 bytes \\(enable checked mode to see where they were"
                    + " allocated\\)"), report);
        }
    }

    @BeforeParameterizedClassInvocation
    static void compile(Toolchain toolchain) {
        Compilation compilation = Compilations.compile(toolchain, 
                Compilations.source("probe.Point", "package probe;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Point(int x, int y) {}"),
                Compilations.source("probe.Sample", "package probe;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Sample(byte b, short s, char c, int i, long l, float f, double d,",
                        "        boolean z, Point p) {}"),
                probe("BumpProbe", KINDS.get(0)), probe("StackProbe", KINDS.get(1)), probe("PoolProbe", KINDS.get(2)),
                probe("SharedPoolProbe", KINDS.get(3)),
                Compilations.source("probe.Samples", "package probe;", "import io.nebula.memory.annotation.*;",
                        "import java.lang.foreign.MemorySegment;",
                        "@Allocator(kind = AllocatorKind.BUMP, size = 4096, fillPattern = 0xFF)",
                        "public abstract class Samples {",
                        "    @Alloc public abstract SampleStruct.View of(byte b, short s, char c, int i, long l,",
                        "            float f, double d, boolean z, Point p);",
                        "    @Alloc public abstract SampleStruct.View of(long l, boolean z);",
                        "    @Alloc public abstract SampleStruct.View of(Sample value);",
                        "    @Alloc(count = 3) public abstract PointStruct.View points();",
                        "    @Alloc(struct = Point.class, count = 2) public abstract MemorySegment pointArray();",
                        "    @Alloc(bytes = 24, alignment = 8) public abstract MemorySegment bytes();",
                        "    @MemoryScope public Sample roundTrip(Sample value) { return of(value).toRecord(); }",
                        "}"),
                tiny("TinyBump", "kind = AllocatorKind.BUMP, size = 16"),
                tiny("TinyStack", "kind = AllocatorKind.STACK, size = 16"),
                tiny("TinyPool", "kind = AllocatorKind.POOL, block = Point.class, blockCount = 2"),
                // Without a scope the generated class imports no Scope (ECJ reports an import only javadoc uses).
                Compilations.source("probe.Unscoped", "package probe;", "import io.nebula.memory.annotation.*;",
                        "@Allocator(kind = AllocatorKind.BUMP, size = 64)",
                        "public abstract class Unscoped { @Alloc public abstract PointStruct.View point(); }"));
        assertThat(compilation).succeededWithoutWarnings();
        loaded = Compilations.load(compilation);
    }

    /** An allocator with room for two points, and a scope that asks for three. */
    private static JavaFileObject tiny(String name, String allocator) {
        return Compilations.source("probe." + name, "package probe;", "import io.nebula.memory.annotation.*;",
                "@Allocator(" + allocator + ")",
                "public abstract class " + name + " {",
                "    @Alloc protected abstract PointStruct.View point();",
                "    @MemoryScope public void threePoints() { point(); point(); point(); }",
                "}");
    }

    private static ScopedProbe create(String kind) {
        return (ScopedProbe) loaded.call("probe." + kind + "Probe_Memory", "create");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void memoryUsedIsBackToItsValueBeforeTheCallAfterReturn(String kind) {
        try (ScopedProbe probe = create(kind)) {
            long before = probe.allocator().usedBytes();
            assertTrue(before > 0, "the constructor's allocation, outside any scope, stays");
            assertEquals(7, probe.sum(3, 4));
            assertEquals(before, probe.allocator().usedBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void memoryUsedIsBackAfterThrowAndTheExceptionIsRethrownUnchanged(String kind) throws Exception {
        try (ScopedProbe probe = create(kind)) {
            long before = probe.allocator().usedBytes();
            IllegalStateException unchecked = new IllegalStateException("boom");
            assertSame(unchecked, assertThrows(IllegalStateException.class, () -> probe.throwUnchecked(unchecked)));
            assertEquals(before, probe.allocator().usedBytes());

            IOException checked = new IOException("io");
            assertSame(checked, assertThrows(IOException.class, () -> probe.throwChecked(checked)));
            assertEquals(before, probe.allocator().usedBytes());
            assertEquals(0, checked.getSuppressed().length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void nestedScopesReleaseTheInnerAllocationsWhenTheInnerCallReturns(String kind) {
        try (ScopedProbe probe = create(kind)) {
            long before = probe.allocator().usedBytes();
            assertTrue(probe.nested());
            assertEquals(before, probe.allocator().usedBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void recursionAThousandDeepHoldsEveryFrameThenReleasesThemAll(String kind) {
        try (ScopedProbe probe = create(kind)) {
            long before = probe.allocator().usedBytes();
            long deepest = probe.recurse(1000);
            assertTrue(deepest >= before + 1001 * 8, "1001 points live at the deepest call: " + deepest);
            assertEquals(deepest, probe.deepest());
            assertEquals(before, probe.allocator().usedBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void aMillionCallsLeaveNothingAllocated(String kind) {
        try (ScopedProbe probe = create(kind)) {
            long before = probe.allocator().usedBytes();
            long total = 0;
            for (int i = 0; i < 1_000_000; i++) {
                total += probe.sum(i, 1);
            }
            assertEquals(1_000_000L * 999_999 / 2 + 1_000_000, total);
            assertEquals(before, probe.allocator().usedBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void genericVarargsMethodsPassTheirArgumentsThrough(String kind) {
        try (ScopedProbe probe = create(kind)) {
            assertEquals(3, probe.count("a", "b", "c"));
            assertEquals(0, probe.<Integer>count());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void closeFreesTheAllocator(String kind) {
        ScopedProbe probe = create(kind);
        Object allocator = probe.allocator();
        probe.close();
        assertEquals(true, loaded.call(allocator, "isClosed"));
        assertThrows(AllocationException.class, () -> probe.sum(1, 2));
    }

    @Test
    void aThreadSafePoolScopesEachThreadsBlocksApart() throws Exception {
        try (ScopedProbe probe = create("SharedPool")) {
            long before = probe.allocator().usedBytes();
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        for (int i = 0; i < 20_000; i++) {
                            assertEquals(2 * i + 1, probe.sum(i, i + 1));
                            probe.nested(); // its own check compares the pool's total, which other threads move
                        }
                        probe.recurse(100);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertTrue(failures.isEmpty(), () -> failures.toString());
            assertEquals(before, probe.allocator().usedBytes(), "every thread's scopes gave back its blocks");
        }
    }

    @Test
    void initialisersSetEveryFieldOverDirtyMemory() throws Exception {
        Object samples = loaded.call("probe.Samples_Memory", "create");
        Object point = loaded.newInstance("probe.Point", 5, -6);
        Object expected = loaded.newInstance("probe.Sample", (byte) -1, (short) 300, 'q', 70_000, 1L << 40, 1.5f,
                -2.25, true, point);
        Object view = loaded.call(samples, "of", (byte) -1, (short) 300, 'q', 70_000, 1L << 40, 1.5f, -2.25, true,
                point);
        assertEquals(expected, loaded.call(view, "toRecord"));
        assertEquals(expected, loaded.call(loaded.call(samples, "of", expected), "toRecord"));
        assertEquals(expected, loaded.call(samples, "roundTrip", expected));

        Object partial = loaded.call(loaded.call(samples, "of", 9L, true), "toRecord");
        assertEquals(loaded.newInstance("probe.Sample", (byte) 0, (short) 0, '\0', 0, 9L, 0f, 0d, true,
                loaded.newInstance("probe.Point", 0, 0)), partial, "the other fields are zero, not the fill");
        ((AutoCloseable) samples).close();
    }

    @Test
    void arraysAndSegmentsAreZeroedAndSizedFromTheAnnotation() throws Exception {
        try (AutoCloseable samples = (AutoCloseable) loaded.call("probe.Samples_Memory", "create")) {
            MemorySegment points = (MemorySegment) loaded.call(loaded.call(samples, "points"), "segment");
            assertEquals(24, points.byteSize());
            assertEquals(-1, points.mismatch(MemorySegment.ofArray(new byte[24])));
            MemorySegment array = (MemorySegment) loaded.call(samples, "pointArray");
            assertEquals(16, array.byteSize());
            assertEquals(-1, array.mismatch(MemorySegment.ofArray(new byte[16])));
            MemorySegment bytes = (MemorySegment) loaded.call(samples, "bytes");
            assertEquals(24, bytes.byteSize());
            assertEquals(0, bytes.address() % 8);
            assertEquals(-1, bytes.mismatch(MemorySegment.ofArray(new byte[24])));
            BumpAllocator allocator = (BumpAllocator) loaded.call(samples, "allocator");
            assertTrue(allocator.owns(bytes));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TinyBump", "TinyStack", "TinyPool"})
    void errorsFromGeneratedCodeNameTheAllocatorAttributeToChange(String name) throws Exception {
        try (AutoCloseable tiny = (AutoCloseable) loaded.call("probe." + name + "_Memory", "create")) {
            AllocationException e = assertThrows(AllocationException.class, () -> loaded.call(tiny, "threePoints"));
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            List<String> expected = switch (name) {
                case "TinyBump" -> List.of("Raise @Allocator(size = 24) on probe.TinyBump.",
                        "Call reset(), or restore a checkpoint, to reclaim memory that is no longer needed.");
                case "TinyStack" -> List.of("Raise @Allocator(size = 24) on probe.TinyStack, or more if the stack"
                                + " can get deeper than it is now.",
                        "Close scopes, restore checkpoints and deallocate temporaries as soon as their work is done,"
                                + " so that their memory is popped before the next allocation.",
                        "Allocate large or long-lived buffers from a BumpAllocator or PoolAllocator, and keep the"
                                + " stack for short-lived scratch memory.");
                default -> List.of("Raise @Allocator(blockCount = 4) on probe.TinyPool.",
                        "Give blocks back with deallocate or deallocateHandle, or call reset(), when they are no"
                                + " longer needed.");
            };
            assertEquals(expected, e.suggestions(), e.getMessage());
        }
    }
}
