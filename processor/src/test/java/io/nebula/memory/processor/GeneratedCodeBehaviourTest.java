package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import io.nebula.memory.bump.BumpAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The generated code, loaded and run against real memory. */
@ParameterizedClass
@EnumSource(Toolchain.class)
class GeneratedCodeBehaviourTest {
    @Parameter
    Toolchain toolchain;

    private static final String POINT = "geo.PointStruct";
    private static final String BODY = "geo.BodyStruct";
    private static final String MIXED = "geo.MixedStruct";
    private static final String WIDE = "geo.WideStruct";
    private static Compilations.Loaded loaded;

    @BeforeParameterizedClassInvocation
    static void compile(Toolchain toolchain) {
        Compilation compilation = Compilations.compile(toolchain, 
                Compilations.source("geo.Point", "package geo;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Point(int x, int y) {}"),
                Compilations.source("geo.Body", "package geo;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Body(byte kind, Point position, @Array(length = 3) short[] tags,",
                        "        @Array(length = 2) Point[] corners, @Array(length = 2) boolean[] flags) {}"),
                // Flat, with padding inside and at the end: zeroed by stores of 8, 4, 2 and 1 bytes.
                Compilations.source("geo.Mixed", "package geo;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Mixed(byte kind, long id, short tag, byte last) {}"),
                // Flat and larger than what is zeroed by stores: zeroed by fill.
                Compilations.source("geo.Wide", "package geo;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Wide(byte kind, @Array(length = 10) long[] values) {}"));
        assertThat(compilation).succeededWithoutWarnings();
        loaded = Compilations.load(compilation);
    }

    /** An allocator that hands out memory full of 0xFF, as a reused pool block would be. */
    private static SegmentAllocator dirty(Arena arena) {
        return (size, alignment) -> arena.allocate(size, alignment).fill((byte) 0xFF);
    }

    private static Object point(int x, int y) {
        return loaded.newInstance("geo.Point", x, y);
    }

    private static Object body() {
        return loaded.newInstance("geo.Body", (byte) 7, point(1, 2), new short[] {10, 20, 30},
                array(point(3, 4), point(5, 6)), new boolean[] {true, false});
    }

    private static Object array(Object... points) {
        Object array = java.lang.reflect.Array.newInstance(loaded.type("geo.Point"), points.length);
        for (int i = 0; i < points.length; i++) {
            java.lang.reflect.Array.set(array, i, points[i]);
        }
        return array;
    }

    private static MemorySegment segmentOf(Object view) {
        return (MemorySegment) loaded.call(view, "segment");
    }

    @Test
    void allocateZeroesEveryByteEvenWhenTheAllocatorDoesNot() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = segmentOf(loaded.call(BODY, "allocate", dirty(arena)));
            assertEquals(loaded.constant(BODY, "SIZE"), segment.byteSize());
            assertEquals(-1L, segment.mismatch(arena.allocate(segment.byteSize())));

            MemorySegment array = (MemorySegment) loaded.call(BODY, "allocateArray", dirty(arena), 5L);
            assertEquals(5 * (long) loaded.constant(BODY, "SIZE"), array.byteSize());
            assertEquals(-1L, array.mismatch(arena.allocate(array.byteSize())));
        }
    }

    @Test
    void allocateZeroesEveryByteOfAFlatStructWhetherByStoresOrByFill() {
        try (Arena arena = Arena.ofConfined()) {
            for (String struct : new String[] {MIXED, WIDE}) {
                MemorySegment segment = segmentOf(loaded.call(struct, "allocate", dirty(arena)));
                assertEquals(loaded.constant(struct, "SIZE"), segment.byteSize());
                assertEquals(-1L, segment.mismatch(arena.allocate(segment.byteSize())), struct);
            }
        }
    }

    @Test
    void allocateWithAValueOfAFlatStructZeroesOnlyThePaddingAndWritesEachField() {
        try (Arena arena = Arena.ofConfined()) {
            Object value = loaded.newInstance("geo.Mixed", (byte) -1, -1L, (short) -1, (byte) -1);
            MemorySegment segment = segmentOf(loaded.call(MIXED, "allocate", dirty(arena), value));
            // kind @0, padding 1..8, id @8, tag @16, last @18, padding 19..24: every field is all ones.
            for (long at = 0; at < segment.byteSize(); at++) {
                boolean padding = (at >= 1 && at < 8) || at >= 19;
                assertEquals(padding ? (byte) 0 : (byte) -1, segment.get(JAVA_BYTE, at), "byte " + at);
            }
            assertEquals(value, loaded.call(MIXED, "read", segment, 0L));
        }
    }

    @Test
    void allocateWithAValueWritesEveryFieldAndZeroesThePadding() {
        try (Arena arena = Arena.ofConfined()) {
            Object value = body();
            Object view = loaded.call(BODY, "allocate", dirty(arena), value);
            MemorySegment segment = segmentOf(view);
            assertEquals((byte) 0, segment.get(JAVA_BYTE, 1), "padding after kind");
            Object back = loaded.call(view, "toRecord");
            assertEquals((byte) 7, loaded.call(back, "kind"));
            assertEquals(point(1, 2), loaded.call(back, "position"));
            assertArrayEquals(new short[] {10, 20, 30}, (short[]) loaded.call(back, "tags"));
            assertArrayEquals((Object[]) array(point(3, 4), point(5, 6)), (Object[]) loaded.call(back, "corners"));
            assertArrayEquals(new boolean[] {true, false}, (boolean[]) loaded.call(back, "flags"));
        }
    }

    @Test
    void ourBumpAllocatorAndAJdkArenaBothServeAllocation() {
        try (BumpAllocator bump = BumpAllocator.create(1024)) {
            Object view = loaded.call(POINT, "allocate", bump, point(5, 6));
            assertEquals(5, loaded.call(view, "x"));
            assertEquals(8L, bump.usedBytes());
        }
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(6, loaded.call(loaded.call(POINT, "allocate", arena, point(5, 6)), "y"));
        }
    }

    @Test
    void oneViewVisitsEveryElementOfAnArrayWithoutAllocatingAnother() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment points = (MemorySegment) loaded.call(POINT, "allocateArray", arena, 10L);
            Object view = loaded.call(POINT, "view", points);
            for (long i = 0; i < 10; i++) {
                assertSame(view, loaded.call(loaded.call(view, "moveToElement", i), "x", (int) i * 3));
            }
            for (long i = 0; i < 10; i++) {
                assertEquals((int) i * 3, points.get(ValueLayout.JAVA_INT, i * 8));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> loaded.call(view, "moveToElement", 10L));
            assertThrows(IndexOutOfBoundsException.class, () -> loaded.call(view, "moveToElement", -1L));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> loaded.call(view, "moveToElement", Long.MAX_VALUE / 4), "index * SIZE overflows");
            assertEquals(72L, loaded.call(view, "offset"), "a failed move leaves the view where it was");
        }
    }

    @Test
    void aNestedViewMovesWithItsOuterView() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bodies = (MemorySegment) loaded.call(BODY, "allocateArray", arena, 2L);
            Object view = loaded.call(BODY, "view", bodies);
            Object position = loaded.call(view, "position");
            loaded.call(view, "moveToElement", 1L);
            assertSame(position, loaded.call(view, "position"));
            loaded.call(position, "y", 99);
            long second = (long) loaded.constant(BODY, "SIZE") + (long) loaded.constant(BODY, "OFFSET_POSITION");
            assertEquals(99, bodies.get(ValueLayout.JAVA_INT, second + (long) loaded.constant(POINT, "OFFSET_Y")));
            assertEquals(second, loaded.call(position, "offset"));
        }
    }

    @Test
    void arrayIndexesAreCheckedBeforeAnyAccess() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate((long) loaded.constant(BODY, "SIZE") * 2);
            Object view = loaded.call(BODY, "view", segment);
            // Index 3 of tags would still be inside the segment: only the index check catches it.
            assertThrows(IndexOutOfBoundsException.class, () -> loaded.call(view, "tags", 3L, (short) 1));
            assertThrows(IndexOutOfBoundsException.class, () -> loaded.call(view, "tags", -1L));
            assertThrows(IndexOutOfBoundsException.class, () -> loaded.call(view, "corners", 2L));
            assertEquals(-1L, segment.mismatch(arena.allocate(segment.byteSize())), "nothing was written");
        }
    }

    @Test
    void aViewCannotBeCreatedOverTooSmallASegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(7);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> loaded.call(POINT, "view", small));
            assertTrue(e.getMessage().contains("8"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> loaded.call(POINT, "view", arena.allocate(16), 9L));
        }
    }

    @Test
    void writingAnArrayOfTheWrongLengthFailsBeforeWritingAnything() {
        try (Arena arena = Arena.ofConfined()) {
            Object view = loaded.call(BODY, "allocate", arena);
            Object bad = loaded.newInstance("geo.Body", (byte) 7, point(1, 2), new short[] {1, 2},
                    array(point(3, 4), point(5, 6)), new boolean[2]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loaded.call(view, "set", bad));
            assertEquals("Body.tags has 2 elements, but the struct holds exactly 3; pass an array of that length",
                    e.getMessage());
            assertEquals((byte) 0, loaded.call(view, "kind"));
        }
    }

    @Test
    void theViewIsTheOnlyAccessorLayer() throws Exception {
        for (String type : List.of(POINT, BODY)) {
            for (Method method : loaded.type(type).getDeclaredMethods()) {
                assertTrue(Set.of("read", "write", "allocate", "allocateArray", "view").contains(method.getName())
                        || !java.lang.reflect.Modifier.isPublic(method.getModifiers()),
                        type + " declares a public static accessor: " + method);
            }
        }
        Method element = loaded.type(BODY + "$View").getMethod("tags", long.class);
        assertEquals(short.class, element.getReturnType());
    }
}
