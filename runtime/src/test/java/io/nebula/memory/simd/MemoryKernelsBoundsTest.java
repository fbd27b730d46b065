package io.nebula.memory.simd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invalid arguments fail up front with precise messages and leave memory untouched, whatever the size (so on
 * both sides of the vector thresholds) and the variant.
 */
class MemoryKernelsBoundsTest {

    /** Below and above every threshold. */
    private static final long[] SIZES = {1, 16, 64, 200, 4096};

    private Arena arena;

    @BeforeEach
    void openArena() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void theExpectedVariantIsActive() {
        assertEquals(MemoryKernelsTest.expectedVariant(), MemoryKernels.activeVariant(), MemoryKernels.description());
    }

    @Test
    void fillRejectsRangesOutsideTheSegmentAndWritesNothing() {
        for (long size : SIZES) {
            MemorySegment segment = arena.allocate(size);
            assertOutOfBounds("fill: destination range [1, 1 + " + size + ") is out of bounds for a segment of "
                    + size + " bytes: the range passes the end by 1 byte",
                    () -> MemoryKernels.fill(segment, 1, size, (byte) 1));
            assertOutOfBounds("fill: destination range [-1, -1 + 1) is out of bounds for a segment of " + size
                    + " bytes: the offset is negative", () -> MemoryKernels.fill(segment, -1, 1, (byte) 1));
            assertOutOfBounds("fill: destination range [0, 0 + -1) is out of bounds for a segment of " + size
                    + " bytes: the length is negative", () -> MemoryKernels.fill(segment, 0, -1, (byte) 1));
            assertOutOfBounds("fill: destination range [" + (size + 1) + ", " + (size + 1) + " + 0) is out of "
                    + "bounds for a segment of " + size + " bytes: the offset is past the end",
                    () -> MemoryKernels.fill(segment, size + 1, 0, (byte) 1));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> MemoryKernels.fill(segment, 1, Long.MAX_VALUE, (byte) 1), "overflowing end");
            assertThrows(IndexOutOfBoundsException.class,
                    () -> MemoryKernels.fill(segment, Long.MAX_VALUE, Long.MAX_VALUE, (byte) 1), "overflow");
            assertEquals(-1, segment.mismatch(arena.allocate(size)), "a failed fill wrote into the segment");
        }
    }

    @Test
    void emptyRangesAtTheEndAreValid() {
        MemorySegment a = arena.allocate(64);
        MemorySegment b = arena.allocate(64);
        MemoryKernels.fill(a, 64, 0, (byte) 1);
        MemoryKernels.copy(a, 64, b, 64, 0);
        assertEquals(-1, MemoryKernels.mismatch(a, 64, b, 64, 0));
        assertTrue(MemoryKernels.equals(MemorySegment.NULL, 0, MemorySegment.NULL, 0, 0));
    }

    @Test
    void copyChecksBothRangesBeforeWriting() {
        for (long size : SIZES) {
            MemorySegment src = arena.allocate(size).fill((byte) 7);
            MemorySegment dst = arena.allocate(size);
            assertOutOfBounds("copy: source range [1, 1 + " + size + ") is out of bounds for a segment of " + size
                    + " bytes: the range passes the end by 1 byte", () -> MemoryKernels.copy(src, 1, dst, 0, size));
            assertOutOfBounds("copy: destination range [1, 1 + " + size + ") is out of bounds for a segment of "
                    + size + " bytes: the range passes the end by 1 byte",
                    () -> MemoryKernels.copy(src, 0, dst, 1, size));
            assertOutOfBounds("copy: source range [0, 0 + -5) is out of bounds for a segment of " + size
                    + " bytes: the length is negative", () -> MemoryKernels.copy(src, 0, dst, 0, -5));
            assertOutOfBounds("copy: destination range [-3, -3 + 1) is out of bounds for a segment of " + size
                    + " bytes: the offset is negative", () -> MemoryKernels.copy(src, 0, dst, -3, 1));
            assertEquals(-1, dst.mismatch(arena.allocate(size)), "a failed copy wrote into the destination");
        }
    }

    @Test
    void mismatchChecksBothRanges() {
        for (long size : SIZES) {
            MemorySegment a = arena.allocate(size);
            MemorySegment b = arena.allocate(size + 8);
            assertOutOfBounds("mismatch: first range [0, 0 + " + (size + 8) + ") is out of bounds for a segment of "
                    + size + " bytes: the range passes the end by 8 bytes",
                    () -> MemoryKernels.mismatch(a, 0, b, 0, size + 8));
            assertOutOfBounds("mismatch: second range [9, 9 + " + size + ") is out of bounds for a segment of "
                    + (size + 8) + " bytes: the range passes the end by 1 byte",
                    () -> MemoryKernels.equals(a, 0, b, 9, size));
            assertOutOfBounds("mismatch: first range [0, 0 + -1) is out of bounds for a segment of " + (size + 8)
                    + " bytes: the length is negative", () -> MemoryKernels.mismatch(b, 0, b, 0, -1));
        }
    }

    @Test
    void nullSegmentsAreNamed() {
        MemorySegment segment = arena.allocate(16);
        assertEquals("destination", assertThrows(NullPointerException.class,
                () -> MemoryKernels.fill(null, 0, 0, (byte) 0)).getMessage());
        assertEquals("source", assertThrows(NullPointerException.class,
                () -> MemoryKernels.copy(null, 0, segment, 0, 0)).getMessage());
        assertEquals("destination", assertThrows(NullPointerException.class,
                () -> MemoryKernels.copy(segment, 0, null, 0, 0)).getMessage());
        assertEquals("first", assertThrows(NullPointerException.class,
                () -> MemoryKernels.mismatch(null, 0, segment, 0, 0)).getMessage());
        assertEquals("second", assertThrows(NullPointerException.class,
                () -> MemoryKernels.equals(segment, 0, null, 0, 0)).getMessage());
    }

    @Test
    void readOnlyDestinationsAreRejectedAsTheJdkDoes() {
        for (long size : SIZES) {
            MemorySegment writable = arena.allocate(size);
            MemorySegment readOnly = writable.asReadOnly();
            IllegalArgumentException fill = assertThrows(IllegalArgumentException.class,
                    () -> MemoryKernels.fill(readOnly, 0, size, (byte) 1));
            assertTrue(fill.getMessage().startsWith("fill: the destination segment is read-only"), fill.getMessage());
            assertThrows(IllegalArgumentException.class, () -> MemoryKernels.copy(writable, 0, readOnly, 0, size));
            assertEquals(-1, MemoryKernels.mismatch(readOnly, 0, writable, 0, size), "reading is allowed");
            assertEquals(-1, writable.mismatch(arena.allocate(size)), "a rejected call wrote into the segment");
        }
    }

    @Test
    void closedSegmentsAndOtherThreadsFailAsInTheJdk() throws Exception {
        for (long size : SIZES) {
            Arena closed = Arena.ofConfined();
            MemorySegment gone = closed.allocate(size);
            closed.close();
            MemorySegment live = arena.allocate(size);
            assertThrows(IllegalStateException.class, () -> MemoryKernels.fill(gone, 0, size, (byte) 1));
            assertThrows(IllegalStateException.class, () -> MemoryKernels.copy(live, 0, gone, 0, size));
            assertThrows(IllegalStateException.class, () -> MemoryKernels.mismatch(gone, 0, live, 0, size));

            CompletableFuture<Void> elsewhere = CompletableFuture.runAsync(
                    () -> MemoryKernels.fill(live, 0, size, (byte) 1));
            ExecutionException failure = assertThrows(ExecutionException.class, elsewhere::get);
            assertInstanceOf(WrongThreadException.class, failure.getCause());
        }
    }

    private static void assertOutOfBounds(String message, Runnable call) {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, call::run);
        assertEquals(message, e.getMessage());
    }
}
