package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.internal.SystemRefusal;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the system refuses native memory (malloc fails, as under {@code ulimit -v}), a call fails atomically: the
 * allocator is exactly as before, the failure is counted, and the caller gets {@link ErrorCode#OUT_OF_MEMORY} with
 * the system's error as its cause, never a raw {@link OutOfMemoryError}.
 */
class NativeRefusalTest {

    static Stream<Variants.Variant> checked() {
        return Variants.checkedOnes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checked")
    void aCheckedAllocationRefusedByTheSystemChangesNothing(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            MemorySegment kept = allocator.allocate(100, 8);
            long used = Variants.used(allocator);
            long available = Variants.available(allocator);
            AllocationStatistics before = Variants.stats(allocator);

            AllocationException e;
            try (SystemRefusal refusal = SystemRefusal.refuseAll()) {
                e = assertThrows(AllocationException.class, () -> allocator.allocate(200, 8));
                assertEquals(1, refusal.refusals());
            }
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            assertInstanceOf(OutOfMemoryError.class, e.getCause());
            assertTrue(e.details().contains("could not reserve 200 bytes of native memory for the checked-mode"),
                    e.getMessage());
            assertEquals(used, Variants.used(allocator), "used bytes");
            assertEquals(available, Variants.available(allocator), "available bytes");
            AllocationStatistics after = Variants.stats(allocator);
            assertEquals(before.allocations(), after.allocations(), "a refused allocation is not counted as one");
            assertEquals(before.bytesAllocated(), after.bytesAllocated());
            assertEquals(before.failedAllocations() + 1, after.failedAllocations());

            // The allocator goes on where it was: on a stack, the allocation kept is still the top.
            MemorySegment next = allocator.allocate(200, 8);
            assertEquals(200, next.byteSize());
            allocator.deallocate(next);
            allocator.deallocate(kept);
        }
    }

    @Test
    void aCheckedGrowableArenaThatMovedToANewChunkGoesBackWhenTheSegmentIsRefused() {
        for (boolean threadSafe : new boolean[] {false, true}) {
            BumpConfig config = BumpConfig.defaults().withGrowth(4096, 1 << 20).withChecked(true)
                    .withThreadSafe(threadSafe).withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                arena.allocate(1000, 8);
                long used = arena.usedBytes();
                MemorySegment chunk = arena.segment();
                try (SystemRefusal _ = SystemRefusal.refuseAfter(1)) {   // the new chunk, not its segment
                    AllocationException e = assertThrows(AllocationException.class, () -> arena.allocate(100, 8));
                    assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
                }
                assertEquals(used, arena.usedBytes(), "still in the first chunk, where it was");
                assertEquals(chunk, arena.segment());
                assertEquals(1, arena.statistics().orElseThrow().allocations());
                assertEquals(1, arena.statistics().orElseThrow().failedAllocations());
                arena.allocate(16, 8);
                assertEquals(used + 16, arena.usedBytes(), "the next small request still fits the first chunk");
            }
        }
    }

    @Test
    void growthRefusedByTheSystemIsTypedAndCounted() {
        BumpConfig bumpConfig = BumpConfig.defaults().withGrowth(4096, 1 << 20).withTrackStats(true);
        try (BumpAllocator arena = BumpAllocator.create(1024, bumpConfig)) {
            arena.allocate(1000, 8);
            long used = arena.usedBytes();
            try (SystemRefusal _ = SystemRefusal.refuseAll()) {
                AllocationException e = assertThrows(AllocationException.class, () -> arena.allocate(100, 8));
                assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
                assertInstanceOf(OutOfMemoryError.class, e.getCause());
            }
            assertEquals(used, arena.usedBytes());
            assertEquals(1, arena.chunkCount());
            assertEquals(1, arena.statistics().orElseThrow().failedAllocations());
        }
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 1,
                PoolConfig.defaults().withAllowGrowth(true).withTrackStats(true))) {
            MemorySegment only = pool.allocate();
            try (SystemRefusal _ = SystemRefusal.refuseAll()) {
                AllocationException e = assertThrows(AllocationException.class, pool::allocate);
                assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
                assertInstanceOf(OutOfMemoryError.class, e.getCause());
            }
            assertEquals(1, pool.chunkCount());
            assertEquals(0, pool.freeBlocks());
            assertEquals(1, pool.statistics().orElseThrow().failedAllocations());
            pool.deallocate(only);
        }
    }

    @Test
    void creationRefusedByTheSystemIsTyped() {
        try (SystemRefusal _ = SystemRefusal.refuseAll()) {
            for (Runnable create : new Runnable[] {
                    () -> BumpAllocator.create(4096),
                    () -> PoolAllocator.create(64, 8, 16),
                    () -> StackAllocator.create(4096)}) {
                AllocationException e = assertThrows(AllocationException.class, create::run);
                assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
                assertInstanceOf(OutOfMemoryError.class, e.getCause());
                assertTrue(e.details().contains("could not reserve 4096 bytes of native memory")
                        || e.details().contains("could not reserve 1024 bytes of native memory"), e.getMessage());
            }
        }
    }
}
