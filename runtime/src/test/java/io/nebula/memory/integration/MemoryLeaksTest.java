package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Resettable;
import io.nebula.memory.Scope;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing leaks: the counterpart of the Rust crate's memory_leaks suite. Native memory is measured by Native
 * Memory Tracking, so "every byte released at close" is checked against the JVM's own accounting.
 */
class MemoryLeaksTest {

    private static final long MIB = 1 << 20;

    static java.util.stream.Stream<Allocators.Kind> kinds() {
        return Allocators.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyByteIsReleasedAtClose(Allocators.Kind kind) {
        long before = NativeMemory.otherCommittedKb();
        List<Allocator> allocators = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            Allocator allocator = kind.create(4 * MIB);
            allocator.allocate(128, 8).fill((byte) 1);
            allocators.add(allocator);
        }
        long during = NativeMemory.otherCommittedKb();
        assertTrue(during - before >= 32 * 4 * 1024, "32 x 4 MiB reserved: NMT grew by " + (during - before) + " KB");
        allocators.forEach(Allocator::close);
        long after = NativeMemory.otherCommittedKb();
        assertTrue(after - before < 1024, "all 128 MiB returned: NMT is " + (after - before) + " KB above the start");
    }

    @Test
    void allPoolBlocksComeBackAfterScopedWork() {
        SplittableRandom random = new SplittableRandom(7);
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 32, PoolConfig.defaults().withAllowGrowth(true))) {
            for (int round = 0; round < 1000; round++) {
                List<MemorySegment> taken = new ArrayList<>();
                try {
                    int n = random.nextInt(1, 80);
                    for (int i = 0; i < n; i++) {
                        taken.add(pool.allocate());
                    }
                    if (random.nextInt(4) == 0) {
                        throw new IllegalStateException("request failed");
                    }
                } catch (IllegalStateException expected) {
                    // the finally block still returns every block
                } finally {
                    taken.forEach(pool::deallocate);
                }
                assertEquals(pool.blockCount(), pool.freeBlocks(), "round " + round);
                assertEquals(0, pool.usedBytes());
            }
        }
    }

    @Test
    void scopesAndFramesReturnToZero() {
        try (BumpAllocator arena = BumpAllocator.create(MIB); StackAllocator stack = StackAllocator.create(MIB)) {
            for (int i = 0; i < 10_000; i++) {
                try (Scope _ = arena.scope(); Scope _ = stack.scope()) {
                    arena.allocate(64 + i % 100, 8);
                    stack.allocate(64 + i % 100, 8);
                }
            }
            assertEquals(0, arena.usedBytes());
            assertEquals(0, stack.usedBytes());
            assertEquals(0, stack.depth());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void nothingIsReachableAfterClose(Allocators.Kind kind) {
        Allocator allocator = kind.create(4096);
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            segments.add(allocator.allocate(32, 8));
        }
        allocator.close();
        for (MemorySegment s : segments) {
            assertFalse(s.scope().isAlive());
            assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_INT, 0));
            assertThrows(IllegalStateException.class, () -> s.set(ValueLayout.JAVA_INT, 0, 1));
            assertFalse(allocator.owns(s));
        }
        assertEquals(ErrorCode.CLOSED,
                assertThrows(AllocationException.class, () -> ((Resettable) allocator).reset()).code());
    }
}
