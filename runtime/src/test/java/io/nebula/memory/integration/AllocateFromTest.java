package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code allocateFrom} and array methods check what they are given before they allocate: a call that throws
 * has allocated nothing, so a stack's top, a pool's blocks and an arena's bytes are as they were, and a bad count
 * is {@link ErrorCode#INVALID_SIZE} like a bad size.
 */
class AllocateFromTest {

    static Stream<Variants.Variant> variants() {
        return Variants.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aBadSourceAllocatesNothing(Variants.Variant variant) throws Exception {
        try (Allocator allocator = variant.create(); Arena other = Arena.ofConfined()) {
            MemorySegment kept = allocator.allocate(ValueLayout.JAVA_LONG);
            MemorySegment ints = other.allocate(ValueLayout.JAVA_INT, 4);
            MemorySegment closed;
            try (Arena gone = Arena.ofConfined()) {
                closed = gone.allocate(ValueLayout.JAVA_INT, 4);
            }
            MemorySegment elsewhere = CompletableFuture.supplyAsync(() -> Arena.ofConfined()
                    .allocate(ValueLayout.JAVA_INT, 4)).get();

            assertRefused(allocator, IllegalArgumentException.class,
                    () -> allocator.allocateFrom(ValueLayout.ADDRESS, MemorySegment.ofArray(new byte[8])));
            assertRefused(allocator, IllegalArgumentException.class,
                    () -> allocator.allocateFrom(ValueLayout.JAVA_INT, ints, ValueLayout.JAVA_LONG, 0, 1));
            assertRefused(allocator, IllegalArgumentException.class,
                    () -> allocator.allocateFrom(ValueLayout.JAVA_INT, ints, ValueLayout.JAVA_INT, 1, 1));
            assertRefused(allocator, IllegalArgumentException.class,
                    () -> allocator.allocateFrom(ValueLayout.JAVA_LONG, MemorySegment.ofArray(new byte[16]),
                            ValueLayout.JAVA_LONG, 0, 1));
            assertRefused(allocator, IndexOutOfBoundsException.class,
                    () -> allocator.allocateFrom(ValueLayout.JAVA_INT, ints, ValueLayout.JAVA_INT, 8, 3));
            assertRefused(allocator, IndexOutOfBoundsException.class,
                    () -> allocator.allocateFrom(ValueLayout.JAVA_INT, ints, ValueLayout.JAVA_INT, -4, 1));
            assertRefused(allocator, IllegalStateException.class,
                    () -> allocator.allocateFrom(ValueLayout.JAVA_INT, closed, ValueLayout.JAVA_INT, 0, 2));
            assertRefused(allocator, WrongThreadException.class,
                    () -> allocator.allocateFrom(ValueLayout.JAVA_INT, elsewhere, ValueLayout.JAVA_INT, 0, 2));

            // Nothing was lost: on a stack the segment kept is still the top.
            allocator.deallocate(kept);
            ints.setAtIndex(ValueLayout.JAVA_INT, 1, 42);
            MemorySegment copy = allocator.allocateFrom(ValueLayout.JAVA_INT, ints, ValueLayout.JAVA_INT, 4, 2);
            assertArrayEquals(new int[] {42, 0}, copy.toArray(ValueLayout.JAVA_INT));
            allocator.deallocate(copy);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aBadCountIsAnInvalidSize(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            long used = Variants.used(allocator);
            for (long count : new long[] {-1, Long.MIN_VALUE, Long.MAX_VALUE / 4 + 1, Long.MAX_VALUE}) {
                AllocationException e = assertThrows(AllocationException.class,
                        () -> allocator.allocate(ValueLayout.JAVA_LONG, count));
                assertEquals(ErrorCode.INVALID_SIZE, e.code(), e.getMessage());
                assertTrue(e.details().contains(count < 0 ? "element count is negative: " + count
                        : count + " elements of 8 bytes"), e.getMessage());
                AllocationException fromSource = assertThrows(AllocationException.class,
                        () -> allocator.allocateFrom(ValueLayout.JAVA_LONG, MemorySegment.ofArray(new long[1]),
                                ValueLayout.JAVA_LONG, 0, count));
                assertEquals(ErrorCode.INVALID_SIZE, fromSource.code());
            }
            assertEquals(used, Variants.used(allocator));
            AllocationStatistics stats = Variants.stats(allocator);
            assertEquals(0, stats.allocations());
            assertEquals(8, stats.failedAllocations());
        }
    }

    private static void assertRefused(Allocator allocator, Class<? extends Throwable> type, Executable call) {
        long used = Variants.used(allocator);
        AllocationStatistics before = Variants.stats(allocator);
        assertThrows(type, call);
        assertEquals(used, Variants.used(allocator), "used bytes");
        assertEquals(before.allocations(), Variants.stats(allocator).allocations(), "allocations");
    }
}
