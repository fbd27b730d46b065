package io.nebula.memory.integration;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.Resettable;
import io.nebula.memory.Scope;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.stack.StackAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Statistics balance: bytes allocated and bytes freed are counted in one unit (padding and whole pool blocks
 * included), so at every step their difference is the bytes in use, and they are equal once everything is released.
 */
class StatisticsBalanceTest {

    static Stream<Variants.Variant> variants() {
        return Variants.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void bytesFreedEqualBytesAllocatedOnceEverythingIsReleased(Variants.Variant variant) {
        SplittableRandom random = new SplittableRandom(12);
        try (Allocator allocator = variant.create()) {
            Deque<MemorySegment> live = new ArrayDeque<>();
            for (int step = 0; step < 400; step++) {
                long size = random.nextLong(0, 300);
                long alignment = 1L << random.nextInt(0, 7);
                int action = random.nextInt(10);
                if (action < 6 && Variants.available(allocator) > 2 * (size + alignment) + 4096) {
                    live.push(allocator.allocate(size, alignment));
                } else if (action < 8 && !live.isEmpty() && !(allocator instanceof BumpAllocator)) {
                    allocator.deallocate(live.pop());
                } else if (action == 8) {
                    releaseInBulk(allocator, random, live);
                } else if (allocator instanceof PoolAllocator && live.size() > 60) {
                    ((Resettable) allocator).reset();
                    live.clear();
                }
                assertBalanced(allocator, "step " + step);
            }
            ((Resettable) allocator).reset();
            AllocationStatistics stats = Variants.stats(allocator);
            assertEquals(stats.bytesAllocated(), stats.bytesFreed(), stats.toString());
            assertEquals(0, stats.currentBytes());
        }
    }

    /** A checkpoint restore on an arena or a stack, a scope on every allocator, around a few allocations. */
    private static void releaseInBulk(Allocator allocator, SplittableRandom random, Deque<MemorySegment> live) {
        if (allocator instanceof BumpAllocator arena) {
            Checkpoint checkpoint = arena.checkpoint();
            arena.allocate(random.nextLong(1, 100), 1L << random.nextInt(0, 7));
            arena.restore(checkpoint);
        } else if (allocator instanceof StackAllocator stack) {
            try (Scope _ = stack.scope()) {
                stack.allocate(random.nextLong(1, 100), 1L << random.nextInt(0, 7));
                stack.allocate(random.nextLong(1, 100), 1L << random.nextInt(0, 7));
            }
        } else if (allocator instanceof PoolAllocator pool) {
            try (Scope _ = pool.scope()) {
                pool.allocate(random.nextLong(1, 100), 8);
            }
        }
    }

    private static void assertBalanced(Allocator allocator, String where) {
        AllocationStatistics stats = Variants.stats(allocator);
        assertEquals(Variants.used(allocator), stats.currentBytes(), where);
        assertEquals(stats.currentBytes(), stats.bytesAllocated() - stats.bytesFreed(), where + ": " + stats);
    }
}
