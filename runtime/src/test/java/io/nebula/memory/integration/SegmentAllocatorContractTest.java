package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract cases of the JDK's own {@code test/jdk/java/foreign/TestSegmentAllocators.java}, run against every
 * allocator in every variant ({@link Variants}): every carrier type in both byte orders and four alignments, arrays of
 * every primitive type, strings in every standard charset, {@code allocate(layout, count)}, the alignment and the
 * contents of results, and the checks of {@code allocateFrom}'s arguments.
 *
 * <p>Where the library deviates on purpose (LIMITATIONS.md), the test asserts the deviation: a bad size, alignment or
 * count is {@link AllocationException} ({@code INVALID_SIZE}, {@code INVALID_ALIGNMENT}) where the JDK throws
 * {@link IllegalArgumentException}, and exhaustion is {@code OUT_OF_MEMORY} where a slicing allocator throws
 * {@link IndexOutOfBoundsException}.
 */
class SegmentAllocatorContractTest {

    /** As the JDK's test: values per layout at its natural alignment, fewer at larger alignments. */
    private static final int ELEMS = 128;

    /** Allocates one value of a layout with the {@code allocateFrom} overload of its carrier. */
    private record Carrier(String name, ValueLayout layout, Object value,
                           BiFunction<SegmentAllocator, ValueLayout, MemorySegment> allocateFrom) {
        @Override
        public String toString() {
            return name + " " + layout.order();
        }
    }

    private static List<Carrier> carriers() {
        List<Carrier> carriers = new ArrayList<>();
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            carriers.add(new Carrier("byte", ValueLayout.JAVA_BYTE.withOrder(order), (byte) 42,
                    (a, l) -> a.allocateFrom((ValueLayout.OfByte) l, (byte) 42)));
            carriers.add(new Carrier("short", ValueLayout.JAVA_SHORT.withOrder(order), (short) 42,
                    (a, l) -> a.allocateFrom((ValueLayout.OfShort) l, (short) 42)));
            carriers.add(new Carrier("char", ValueLayout.JAVA_CHAR.withOrder(order), (char) 42,
                    (a, l) -> a.allocateFrom((ValueLayout.OfChar) l, (char) 42)));
            carriers.add(new Carrier("int", ValueLayout.JAVA_INT.withOrder(order), 42,
                    (a, l) -> a.allocateFrom((ValueLayout.OfInt) l, 42)));
            carriers.add(new Carrier("float", ValueLayout.JAVA_FLOAT.withOrder(order), 42f,
                    (a, l) -> a.allocateFrom((ValueLayout.OfFloat) l, 42f)));
            carriers.add(new Carrier("long", ValueLayout.JAVA_LONG.withOrder(order), 42L,
                    (a, l) -> a.allocateFrom((ValueLayout.OfLong) l, 42L)));
            carriers.add(new Carrier("double", ValueLayout.JAVA_DOUBLE.withOrder(order), 42d,
                    (a, l) -> a.allocateFrom((ValueLayout.OfDouble) l, 42d)));
            carriers.add(new Carrier("address", ValueLayout.ADDRESS.withOrder(order), MemorySegment.ofAddress(42),
                    (a, l) -> a.allocateFrom((java.lang.foreign.AddressLayout) l, MemorySegment.ofAddress(42))));
        }
        return carriers;
    }

    static Stream<Arguments> everyCarrierOnEveryVariant() {
        return Variants.all().flatMap(v -> carriers().stream().map(c -> Arguments.of(v, c)));
    }

    static Stream<Variants.Variant> variants() {
        return Variants.all();
    }

    static Stream<Variants.Variant> boundedVariants() {
        return Variants.all().filter(v -> !v.name().equals("pool growable"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyCarrierOnEveryVariant")
    void everyCarrierAtEveryAlignmentHoldsItsValueAndDiesWithTheAllocator(Variants.Variant variant, Carrier carrier) {
        ValueLayout natural = carrier.layout().withByteAlignment(carrier.layout().byteSize());
        for (int factor = 1; factor <= 8; factor *= 2) {
            ValueLayout layout = natural.withByteAlignment(natural.byteAlignment() * factor);
            VarHandle handle = layout.varHandle();
            List<MemorySegment> allocated = new ArrayList<>();
            try (Allocator allocator = variant.create()) {
                for (int i = 0; i < ELEMS / factor; i++) {
                    MemorySegment segment = carrier.allocateFrom().apply(allocator, layout);
                    assertEquals(layout.byteSize(), segment.byteSize());
                    assertEquals(0, segment.address() % layout.byteAlignment(), "aligned to " + layout);
                    assertEquals(carrier.value(), handle.get(segment, 0L));
                    assertTrue(segment.isNative());
                    allocated.add(segment);
                }
            }
            for (MemorySegment segment : allocated) {
                assertFalse(segment.scope().isAlive(), "every segment dies with the allocator");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundedVariants")
    void exhaustionIsOutOfMemoryNotIndexOutOfBounds(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            AllocationException e = assertThrows(AllocationException.class, () -> {
                for (int i = 0; i < 1 << 20; i++) {
                    allocator.allocate(1024, 8);
                }
            });
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code(), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void badSizesAlignmentsAndCountsAreTypedDeviationsFromIllegalArgumentException(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            expect(ErrorCode.INVALID_SIZE, () -> allocator.allocate(-1));
            expect(ErrorCode.INVALID_ALIGNMENT, () -> allocator.allocate(1, 0));
            expect(ErrorCode.INVALID_ALIGNMENT, () -> allocator.allocate(1, -1));
            expect(ErrorCode.INVALID_ALIGNMENT, () -> allocator.allocate(1, 3));
            expect(ErrorCode.INVALID_SIZE, () -> allocator.allocate(ValueLayout.JAVA_BYTE, -1));
            expect(ErrorCode.INVALID_SIZE, () -> allocator.allocate(ValueLayout.JAVA_LONG, Long.MAX_VALUE));
            assertEquals(0, Variants.stats(allocator).allocations());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void allocateFromRefusesAHeapSegmentAsAnAddress(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> allocator.allocateFrom(ValueLayout.ADDRESS, MemorySegment.ofArray(new int[] {1})));
            assertTrue(e.getMessage().contains("Heap segment not allowed"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void allocateFromChecksItsArgumentsAsTheJdkDocuments(Variants.Variant variant) throws Exception {
        try (Allocator allocator = variant.create(); Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(ValueLayout.JAVA_LONG, 2);
            ValueLayout.OfInt element = ValueLayout.JAVA_INT;
            assertThrows(IllegalArgumentException.class,
                    () -> allocator.allocateFrom(element, source, ValueLayout.JAVA_BYTE, 0, 1), "sizes differ");
            assertThrows(IllegalArgumentException.class,
                    () -> allocator.allocateFrom(element, source.asSlice(1), element, 0, 1), "misaligned source");
            assertThrows(IllegalArgumentException.class,
                    () -> allocator.allocateFrom(element, source, element, 1, 1), "misaligned offset");
            assertThrows(IllegalArgumentException.class,
                    () -> allocator.allocateFrom(element.withByteAlignment(8), source, element, 1, 1),
                    "alignment above size");
            MemorySegment elsewhere = CompletableFuture.supplyAsync(
                    () -> Arena.ofConfined().allocate(ValueLayout.JAVA_LONG, 2)).get();
            assertThrows(WrongThreadException.class,
                    () -> allocator.allocateFrom(element, elsewhere, element, 0, 1), "source of another thread");
            expect(ErrorCode.INVALID_SIZE, () -> allocator.allocateFrom(element, source, element, 0, Long.MAX_VALUE));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> allocator.allocateFrom(element, source, element, source.byteSize() - 4 + 4, 1), "past end");
            assertThrows(IndexOutOfBoundsException.class,
                    () -> allocator.allocateFrom(element, source, element, -4, 1), "negative offset");
            expect(ErrorCode.INVALID_SIZE, () -> allocator.allocateFrom(element, source, element, 0, -1));
            MemorySegment closed;
            try (Arena gone = Arena.ofConfined()) {
                closed = gone.allocate(8);
            }
            assertThrows(IllegalStateException.class, () -> allocator.allocateFrom(element, closed, element, 0, 1));
            assertEquals(0, Variants.stats(allocator).allocations(), "nothing was allocated");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void arraysOfEveryPrimitiveTypeInBothByteOrdersCopyTheirContents(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                byte[] bytes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
                assertArrayEquals(bytes, checked(allocator.allocateFrom(ValueLayout.JAVA_BYTE, bytes))
                        .toArray(ValueLayout.JAVA_BYTE));
                char[] chars = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
                ValueLayout.OfChar charLayout = ValueLayout.JAVA_CHAR.withOrder(order);
                assertArrayEquals(chars, checked(allocator.allocateFrom(charLayout, chars)).toArray(charLayout));
                short[] shorts = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
                ValueLayout.OfShort shortLayout = ValueLayout.JAVA_SHORT.withOrder(order);
                assertArrayEquals(shorts, checked(allocator.allocateFrom(shortLayout, shorts)).toArray(shortLayout));
                int[] ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
                ValueLayout.OfInt intLayout = ValueLayout.JAVA_INT.withOrder(order);
                assertArrayEquals(ints, checked(allocator.allocateFrom(intLayout, ints)).toArray(intLayout));
                float[] floats = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
                ValueLayout.OfFloat floatLayout = ValueLayout.JAVA_FLOAT.withOrder(order);
                assertArrayEquals(floats, checked(allocator.allocateFrom(floatLayout, floats)).toArray(floatLayout));
                long[] longs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
                ValueLayout.OfLong longLayout = ValueLayout.JAVA_LONG.withOrder(order);
                assertArrayEquals(longs, checked(allocator.allocateFrom(longLayout, longs)).toArray(longLayout));
                double[] doubles = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
                ValueLayout.OfDouble doubleLayout = ValueLayout.JAVA_DOUBLE.withOrder(order);
                assertArrayEquals(doubles,
                        checked(allocator.allocateFrom(doubleLayout, doubles)).toArray(doubleLayout));
            }
        }
    }

    /** As the JDK's {@code testPredicatesAndCommands}: a native, unmapped segment. */
    private static MemorySegment checked(MemorySegment segment) {
        assertThrows(UnsupportedOperationException.class, segment::load);
        assertThrows(UnsupportedOperationException.class, segment::unload);
        assertThrows(UnsupportedOperationException.class, segment::isLoaded);
        assertThrows(UnsupportedOperationException.class, segment::force);
        assertFalse(segment.isMapped());
        assertTrue(segment.isNative());
        return segment;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void stringsInEveryStandardCharsetRoundTripWithTheirTerminator(Variants.Variant variant) {
        String text = "nebula: \u00e9t\u00e9 \u65e5\u672c \ud83d\ude80";
        try (Allocator allocator = variant.create()) {
            for (Charset charset : new Charset[] {StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1,
                    StandardCharsets.UTF_8, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
                    StandardCharsets.UTF_16, Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE"),
                    Charset.forName("UTF-32")}) {
                byte[] encoded = text.getBytes(charset);
                String expected = new String(encoded, charset);
                MemorySegment segment = allocator.allocateFrom(text, charset);
                int terminator = charset.equals(StandardCharsets.US_ASCII) || charset.equals(StandardCharsets.UTF_8)
                        || charset.equals(StandardCharsets.ISO_8859_1) ? 1
                        : charset.name().startsWith("UTF-16") ? 2 : 4;
                assertEquals(encoded.length + terminator, segment.byteSize(), charset.name());
                assertEquals(expected, segment.getString(0, charset), charset.name());
            }
            assertEquals("Hello", allocator.allocateFrom("Hello").getString(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void arraysByLayoutAndCountHaveTheirSizeAndAlignment(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            for (ValueLayout layout : new ValueLayout[] {ValueLayout.JAVA_BYTE, ValueLayout.JAVA_SHORT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_DOUBLE, ValueLayout.ADDRESS}) {
                for (long count : new long[] {0, 1, 7, 100}) {
                    MemorySegment array = allocator.allocate(layout, count);
                    assertEquals(layout.byteSize() * count, array.byteSize(), layout + " x " + count);
                    assertEquals(0, array.address() % layout.byteAlignment(), layout + " x " + count);
                }
            }
        }
    }

    private static void expect(ErrorCode code, Executable call) {
        AllocationException e = assertThrows(AllocationException.class, call);
        assertEquals(code, e.code(), e.getMessage());
    }
}
