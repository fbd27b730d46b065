package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakWarnings;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakWarnings.class)
class PoolAllocatorTest {

    /** Runs {@code call}, expects {@code code}, and checks that the pool is exactly as before. */
    static AllocationException fails(PoolAllocator pool, ErrorCode code, Executable call) {
        PoolState before = PoolState.of(pool);
        AllocationException e = assertThrows(AllocationException.class, call);
        assertEquals(code, e.code(), e::getMessage);
        assertEquals(before, PoolState.of(pool), "a failed call must leave the pool as it was");
        assertTrue(e.getMessage().startsWith("Memory allocation error: " + code.title() + " [" + code.name() + "]"),
                e::getMessage);
        return e;
    }

    static AllocationException failsToCreate(ErrorCode code, Executable call) {
        AllocationException e = assertThrows(AllocationException.class, call);
        assertEquals(code, e.code(), e::getMessage);
        assertEquals("PoolAllocator", e.allocator());
        return e;
    }

    static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "expected to find\n  " + expected + "\nin\n" + text);
    }

    @Nested
    class Creation {

        @Test
        void strideRoundsTheBlockSizeUpToTheAlignmentAndToEightBytes() {
            try (PoolAllocator a = PoolAllocator.create(1, 1, 4);
                 PoolAllocator b = PoolAllocator.create(24, 8, 4);
                 PoolAllocator c = PoolAllocator.create(100, 16, 4);
                 PoolAllocator d = PoolAllocator.create(100, 256, 4)) {
                assertEquals(8, a.stride());
                assertEquals(24, b.stride());
                assertEquals(112, c.stride());
                assertEquals(256, d.stride());
            }
        }

        @Test
        void blockAlignmentIsWhatEveryBlockHasAtLeastTheOneAskedFor() {
            try (PoolAllocator a = PoolAllocator.create(24, 8, 4);
                 PoolAllocator b = PoolAllocator.create(128, 8, 4);
                 PoolAllocator c = PoolAllocator.create(100, 16, 4);
                 PoolAllocator d = PoolAllocator.create(1000, 512, 4)) {
                assertEquals(8, a.blockAlignment());
                assertEquals(64, b.blockAlignment(), "128-byte strides in a 64-byte aligned chunk");
                assertEquals(16, c.blockAlignment());
                assertEquals(512, d.blockAlignment());
                for (PoolAllocator pool : List.of(a, b, c, d)) {
                    for (int i = 0; i < 4; i++) {
                        assertEquals(0, pool.allocate().address() % pool.blockAlignment(), pool::toString);
                    }
                }
            }
        }

        @Test
        void aNewPoolHasOneChunkOfFreeBlocks() {
            try (PoolAllocator pool = PoolAllocator.create(128, 8, 64)) {
                assertEquals(128, pool.blockSize());
                assertEquals(64, pool.blockCount());
                assertEquals(64, pool.freeBlocks());
                assertEquals(1, pool.chunkCount());
                assertEquals(0, pool.usedBytes());
                assertEquals(64 * 128, pool.availableBytes());
                assertEquals(64 * 128, pool.capacityBytes());
                assertEquals(64 * 128, pool.segment().byteSize());
                assertEquals(0, pool.segment().address() % 64, "chunks are cache-line aligned");
                assertSame(PoolConfig.defaults(), pool.config());
                assertFalse(pool.isClosed());
                assertEquals("PoolAllocator[blockSize=128, stride=128, blocks=64, free=64, chunks=1]",
                        pool.toString());
            }
        }

        @Test
        void rejectsABlockSizeBelowOne() {
            AllocationException e = failsToCreate(ErrorCode.INVALID_SIZE, () -> PoolAllocator.create(0, 8, 4));
            assertEquals("the block size must be at least 1 byte, was 0", e.details());
            assertContains(e.suggestions().getFirst(), "layout.byteSize()");
            assertEquals(Optional.of(new AllocationException.Request(0, 8)), e.request());
        }

        @Test
        void rejectsABlockAlignmentThatIsNotAPowerOfTwo() {
            AllocationException e = failsToCreate(ErrorCode.INVALID_ALIGNMENT, () -> PoolAllocator.create(64, 24, 4));
            assertEquals("the block alignment 24 is not a positive power of two", e.details());
            assertContains(e.suggestions().getFirst(), "such as 16 or 32");
            e = failsToCreate(ErrorCode.INVALID_ALIGNMENT, () -> PoolAllocator.create(64, 0, 4));
            assertContains(e.suggestions().getFirst(), "such as 1 or 2");
            failsToCreate(ErrorCode.INVALID_ALIGNMENT, () -> PoolAllocator.create(64, -8, 4));
        }

        @Test
        void rejectsABlockCountBelowOne() {
            AllocationException e = failsToCreate(ErrorCode.INVALID_SIZE, () -> PoolAllocator.create(64, 8, 0));
            assertEquals("the block count must be at least 1, was 0", e.details());
            assertContains(e.suggestions().getFirst(), "for example 1024");
        }

        @Test
        void rejectsABlockCountAboveMaxBlocks() {
            AllocationException e = failsToCreate(ErrorCode.INVALID_SIZE,
                    () -> PoolAllocator.create(64, 8, 8, PoolConfig.defaults().withMaxBlocks(4)));
            assertEquals("the block count 8 exceeds the configured maxBlocks 4", e.details());
            assertEquals("Pass a block count of at most 4, or raise the bound with PoolConfig.withMaxBlocks(8).",
                    e.suggestions().getFirst());
        }

        @Test
        void rejectsAChunkLargerThan512GiBBeforeReservingAnything() {
            AllocationException e = failsToCreate(ErrorCode.INVALID_SIZE,
                    () -> PoolAllocator.create(1L << 30, 8, 1024));
            assertEquals("1024 blocks of 1073741824 bytes (alignment 8) do not fit in one chunk of at most "
                    + "549755813888 bytes (512 GiB)", e.details());
            assertEquals("Use at most 512 blocks per chunk, with allowGrowth in PoolConfig to add chunks as needed.",
                    e.suggestions().getFirst());
            e = failsToCreate(ErrorCode.INVALID_SIZE, () -> PoolAllocator.create(1L << 40, 8, 1));
            assertEquals("Blocks this large belong in their own arena, not a pool.", e.suggestions().getFirst());
        }

        @Test
        void rejectsANullConfig() {
            assertThrows(NullPointerException.class, () -> PoolAllocator.create(64, 8, 4, null));
        }
    }

    @Nested
    class Allocation {

        @Test
        void allocateHandsOutWholeDistinctAlignedBlocksOfThePool() {
            try (PoolAllocator pool = PoolAllocator.create(48, 16, 8)) {
                Set<Long> addresses = new HashSet<>();
                for (int i = 0; i < 8; i++) {
                    MemorySegment block = pool.allocate();
                    assertEquals(48, block.byteSize());
                    assertEquals(0, block.address() % 16);
                    assertEquals(0, (block.address() - pool.segment().address()) % pool.stride());
                    assertTrue(pool.owns(block));
                    assertTrue(addresses.add(block.address()), "each block is handed out once");
                    assertEquals((i + 1) * 48L, pool.usedBytes());
                    assertEquals((7 - i) * 48L, pool.availableBytes());
                    assertEquals(7 - i, pool.freeBlocks());
                }
            }
        }

        @Test
        void aSmallerRequestGetsASliceOfExactlyItsSizeAtTheStartOfAWholeBlock() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                MemorySegment small = pool.allocate(12, 4);
                assertEquals(12, small.byteSize());
                assertEquals(0, (small.address() - pool.segment().address()) % 64);
                MemorySegment empty = pool.allocate(0, 1);
                assertEquals(0, empty.byteSize());
                assertEquals(2 * 64, pool.usedBytes(), "each request takes a whole block, even an empty one");
            }
        }

        @Test
        void theJdkHelpersOfSegmentAllocatorWork() {
            try (PoolAllocator pool = PoolAllocator.create(16, 8, 4)) {
                MemorySegment ints = pool.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3, 4);
                assertArrayEquals(new int[] {1, 2, 3, 4}, ints.toArray(ValueLayout.JAVA_INT));
                MemorySegment one = pool.allocate(ValueLayout.JAVA_LONG);
                assertEquals(8, one.byteSize());
                pool.deallocate(one, ValueLayout.JAVA_LONG);
                assertEquals(16, pool.usedBytes());
            }
        }

        @Test
        void aRequestLargerThanABlockIsAnInvalidSize() {
            try (PoolAllocator pool = PoolAllocator.create(128, 8, 4)) {
                pool.allocate();
                AllocationException e = fails(pool, ErrorCode.INVALID_SIZE, () -> pool.allocate(129, 8));
                assertEquals("the request is 129 bytes but the pool's blocks are 128 bytes", e.details());
                assertEquals("Allocate objects of up to 128 bytes from this pool, and larger ones from a pool of"
                        + " larger blocks, e.g. PoolAllocator.create(129, 64, blockCount).", e.suggestions().get(0));
                assertContains(e.suggestions().get(1), "BumpAllocator");
                assertContains(e.getMessage(), "Layout:    129 bytes (alignment 8)");
                assertContains(e.getMessage(), "Memory:    384 bytes available, 128 bytes used");
                assertEquals(128, pool.allocate(128, 8).byteSize(), "the pool still serves blocks");
            }
        }

        @Test
        void aRequestAlignedMoreThanTheBlocksIsAnInvalidAlignment() {
            try (PoolAllocator pool = PoolAllocator.create(128, 8, 4)) {
                AllocationException e = fails(pool, ErrorCode.INVALID_ALIGNMENT, () -> pool.allocate(8, 128));
                assertEquals("the request asks for alignment 128 but the pool's blocks are aligned to 64 bytes",
                        e.details());
                assertEquals("Create the pool with block alignment 128: PoolAllocator.create(128, 128, blockCount).",
                        e.suggestions().getFirst());
                assertEquals(0, pool.allocate(8, 64).address() % 64);
            }
        }

        @Test
        void aNegativeSizeOrABadAlignmentIsRejectedWithTheSharedMessages() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                AllocationException e = fails(pool, ErrorCode.INVALID_SIZE, () -> pool.allocate(-1, 8));
                assertEquals("the size is negative: -1 bytes", e.details());
                e = fails(pool, ErrorCode.INVALID_ALIGNMENT, () -> pool.allocate(8, 3));
                assertEquals("the alignment 3 is not a positive power of two", e.details());
                assertContains(e.suggestions().getFirst(), "such as 2 or 4");
            }
        }

        @Test
        void aFullPoolThatMayNotGrowIsOutOfMemoryAndSaysHowToFixIt() {
            try (PoolAllocator pool = PoolAllocator.create(128, 8, 4)) {
                MemorySegment first = pool.allocate();
                for (int i = 0; i < 3; i++) {
                    pool.allocateHandle();
                }
                AllocationException e = fails(pool, ErrorCode.OUT_OF_MEMORY, pool::allocate);
                assertEquals("all 4 blocks (128 bytes each, stride 128, in 1 chunk(s)) are in use and the pool may"
                        + " not grow", e.details());
                assertEquals(List.of(
                        "Enable growth: PoolConfig.defaults().withAllowGrowth(true) adds a chunk of 4 blocks"
                                + " whenever the pool is full.",
                        "Or create the pool with more blocks, for example PoolAllocator.create(128, 64, 8).",
                        "Give blocks back with deallocate or deallocateHandle, or call reset(), when they are no"
                                + " longer needed."), e.suggestions());
                assertEquals(0, e.availableBytes());
                assertEquals(512, e.usedBytes());
                assertEquals(Optional.of(new AllocationException.Request(128, 64)), e.request());
                fails(pool, ErrorCode.OUT_OF_MEMORY, pool::allocateHandle);
                fails(pool, ErrorCode.OUT_OF_MEMORY, () -> pool.allocate(8, 8));

                pool.deallocate(first);
                assertEquals(first.address(), pool.allocate().address(), "a returned block serves again");
            }
        }

        @Test
        void theMostRecentlyReturnedBlockIsHandedOutFirst() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 8)) {
                MemorySegment a = pool.allocate();
                MemorySegment b = pool.allocate();
                pool.deallocate(a);
                pool.deallocate(b);
                assertEquals(b.address(), pool.allocate().address());
                assertEquals(a.address(), pool.allocate().address());
                assertEquals(pool.segment().address() + 2 * 32, pool.allocate().address(),
                        "then blocks never handed out, in address order");
            }
        }

        @Test
        void theFillPatternCoversEveryBlockHandedOutIncludingAReturnedOne() {
            PoolConfig config = PoolConfig.defaults().withFillPattern((byte) 0xA5);
            try (PoolAllocator pool = PoolAllocator.create(20, 4, 4, config)) {
                MemorySegment block = pool.allocate();
                assertFilled(block, (byte) 0xA5);
                block.fill((byte) 1);
                pool.deallocate(block);
                MemorySegment again = pool.allocate(4, 4);
                assertEquals(block.address(), again.address());
                assertFilled(block, (byte) 0xA5);
                long handle = pool.allocateHandle();
                assertFilled(pool.segment().asSlice(handle, 20), (byte) 0xA5);
            }
        }

        @Test
        void aFillPatternOfZeroHandsOutZeroedBlocks() {
            try (PoolAllocator pool = PoolAllocator.create(16, 8, 1,
                    PoolConfig.defaults().withFillPattern((byte) 0))) {
                MemorySegment block = pool.allocate();
                block.fill((byte) 7);
                pool.deallocate(block);
                assertFilled(pool.allocate(), (byte) 0);
            }
        }

        private static void assertFilled(MemorySegment segment, byte value) {
            for (long i = 0; i < segment.byteSize(); i++) {
                assertEquals(value, segment.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
        }
    }

    @Nested
    class Growth {

        @Test
        void aFullPoolWithGrowthAddsAChunkOfTheSameBlockCount() {
            PoolConfig config = PoolConfig.defaults().withAllowGrowth(true).withTrackStats(true);
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4, config)) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(i * 64L, pool.allocateHandle(), "chunk 0 handles are offsets");
                }
                long handle = pool.allocateHandle();
                assertEquals(2, pool.chunkCount());
                assertEquals(8, pool.blockCount());
                assertEquals(3, pool.freeBlocks());
                assertEquals(1L << 40, handle, "the first block of chunk 1");
                assertEquals(0, PoolAllocator.offsetOf(handle));
                MemorySegment chunk1 = pool.segmentOf(handle);
                assertEquals(4 * 64, chunk1.byteSize());
                assertNotEquals(pool.segment().address(), chunk1.address());
                chunk1.set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle), 42L);
                assertEquals(1, pool.statistics().orElseThrow().growths());
                assertEquals("PoolAllocator[blockSize=64, stride=64, blocks=8, free=3, chunks=2]", pool.toString());

                MemorySegment fromChunk1 = pool.allocate();
                assertEquals(chunk1.address() + 64, fromChunk1.address());
                pool.deallocate(fromChunk1);
                pool.deallocateHandle(handle);
                assertEquals(4, pool.freeBlocks());
            }
        }

        @Test
        void growthStopsAtMaxBlocksWithTheLastChunkCutShort() {
            PoolConfig config = PoolConfig.defaults().withAllowGrowth(true).withMaxBlocks(6);
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4, config)) {
                for (int i = 0; i < 6; i++) {
                    pool.allocate();
                }
                assertEquals(6, pool.blockCount());
                assertEquals(2 * 64, pool.segmentOf(1L << 40).byteSize());
                AllocationException e = fails(pool, ErrorCode.OUT_OF_MEMORY, pool::allocateHandle);
                assertEquals("all 6 blocks (64 bytes each, stride 64, in 2 chunk(s)) are in use and the pool may"
                        + " not grow past maxBlocks = 6", e.details());
                assertEquals("Raise the bound: PoolConfig.withMaxBlocks(12).", e.suggestions().getFirst());
            }
        }

        @Test
        void blocksOfEveryChunkCanBeGivenBackAsSegments() {
            PoolConfig config = PoolConfig.defaults().withAllowGrowth(true);
            try (PoolAllocator pool = PoolAllocator.create(16, 8, 2, config)) {
                MemorySegment[] blocks = new MemorySegment[20];
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = pool.allocate();
                }
                assertEquals(10, pool.chunkCount());
                for (int i = blocks.length - 1; i >= 0; i -= 2) {
                    pool.deallocate(blocks[i]);
                }
                for (int i = 0; i < blocks.length; i += 2) {
                    pool.deallocate(blocks[i]);
                }
                assertEquals(20, pool.freeBlocks());
                assertEquals(0, pool.usedBytes());
            }
        }
    }

    @Nested
    class Handles {

        @Test
        void aHandleOfAPoolThatNeverGrewIsTheOffsetIntoSegment() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                long a = pool.allocateHandle();
                long b = pool.allocateHandle();
                assertEquals(0, a);
                assertEquals(32, b);
                assertEquals(b, PoolAllocator.offsetOf(b));
                assertSame(pool.segment(), pool.segmentOf(b));
                pool.segment().set(ValueLayout.JAVA_LONG, b, 7L);
                assertEquals(7L, pool.segmentOf(b).get(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(b)));
                assertEquals(64, pool.usedBytes());
                pool.deallocateHandle(a);
                assertEquals(32, pool.usedBytes());
                assertEquals(a, pool.allocateHandle());
            }
        }

        @Test
        void handlesAndSegmentsNameTheSameBlocks() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                long handle = pool.allocateHandle();
                pool.deallocate(pool.segment().asSlice(handle, 32));
                MemorySegment block = pool.allocate();
                pool.deallocateHandle(block.address() - pool.segment().address());
                assertEquals(4, pool.freeBlocks());
            }
        }

        @Test
        void aHandleNamingAChunkThePoolDoesNotHaveIsForeign() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                pool.allocateHandle();
                AllocationException e = fails(pool, ErrorCode.FOREIGN_SEGMENT,
                        () -> pool.deallocateHandle(3L << 40));
                assertEquals("the handle 0x30000000000 is not a block of this pool: it names chunk 3 but the pool"
                        + " has 1 chunk(s)", e.details());
                assertEquals("Give each block back to the pool that returned it, as returned (not a slice of it).",
                        e.suggestions().getFirst());
                e = fails(pool, ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocateHandle(-1));
                assertContains(e.details(), "the handle 0xffffffffffffffff is not a block of this pool");
                e = fails(pool, ErrorCode.FOREIGN_SEGMENT, () -> pool.segmentOf(1L << 40));
                assertContains(e.details(), "it names chunk 1 but the pool has 1 chunk(s)");
            }
        }

        @Test
        void aHandleInsideABlockOrPastTheChunkIsForeign() {
            try (PoolAllocator pool = PoolAllocator.create(24, 8, 4)) {
                long handle = pool.allocateHandle();
                AllocationException e = fails(pool, ErrorCode.FOREIGN_SEGMENT,
                        () -> pool.deallocateHandle(handle + 8));
                assertEquals("the handle 0x8 is not a block of this pool: it starts 8 bytes into block 0 of chunk 0"
                        + " (blocks start every 24 bytes)", e.details());
                e = fails(pool, ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocateHandle(handle + 3));
                assertContains(e.details(), "it starts 3 bytes into block 0");
                e = fails(pool, ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocateHandle(96));
                assertEquals("the handle 0x60 is not a block of this pool: offset 96 is past the end of chunk 0"
                        + " (96 bytes)", e.details());
                pool.deallocateHandle(handle);
            }
        }

        @Test
        void aHandleGivenBackTwiceIsADoubleFree() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                pool.allocateHandle();
                long handle = pool.allocateHandle();
                pool.deallocateHandle(handle);
                AllocationException e = fails(pool, ErrorCode.DOUBLE_FREE, () -> pool.deallocateHandle(handle));
                assertEquals("the handle 0x20 is block 1 of chunk 0, which is already free: it was given back before",
                        e.details());
                assertEquals(List.of("Give each block back exactly once; clear your reference to it when you do.",
                        "Blocks handed out before reset() were all given back by it, and blocks taken inside a scope"
                                + " are given back by its close; do not give them back again."),
                        e.suggestions());
                assertEquals(handle, pool.allocateHandle(), "the free list is intact");
            }
        }

        @Test
        void aBlockNeverHandedOutIsAlreadyFree() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                AllocationException e = fails(pool, ErrorCode.DOUBLE_FREE, () -> pool.deallocateHandle(64));
                assertEquals("the handle 0x40 is block 2 of chunk 0, which is already free: it has not been handed"
                        + " out since the pool was created or last reset", e.details());
            }
        }
    }

    @Nested
    class Deallocation {

        @Test
        void aSegmentOfAnySizeUpToABlockIsGivenBackByItsStart() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                MemorySegment small = pool.allocate(8, 8);
                MemorySegment empty = pool.allocate(0, 1);
                pool.deallocate(small);
                pool.deallocate(empty);
                assertEquals(0, pool.usedBytes());
                assertEquals(4, pool.freeBlocks());
            }
        }

        @Test
        void aHeapSegmentIsForeign() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                AllocationException e = fails(pool, ErrorCode.FOREIGN_SEGMENT,
                        () -> pool.deallocate(MemorySegment.ofArray(new byte[64])));
                assertContains(e.details(), "(64 bytes at address 0x0) is not a block of this pool: it is a heap"
                        + " segment");
            }
        }

        @Test
        void aSegmentOutsideEveryChunkIsForeignAndTheMessageNamesTheChunks() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4); Arena arena = Arena.ofConfined()) {
                pool.allocate();
                MemorySegment other = arena.allocate(64, 8);
                AllocationException e = fails(pool, ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocate(other));
                long base = pool.segment().address();
                assertEquals("the segment (64 bytes at address 0x" + Long.toHexString(other.address()) + ") is not a"
                        + " block of this pool: it is not inside any chunk of this pool: [0x" + Long.toHexString(base)
                        + ", 0x" + Long.toHexString(base + 256) + ")", e.details());
            }
        }

        @Test
        void aSliceInsideABlockIsForeign() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                MemorySegment block = pool.allocate();
                AllocationException e = fails(pool, ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocate(block.asSlice(16)));
                assertContains(e.details(), "(48 bytes at address 0x" + Long.toHexString(block.address() + 16)
                        + ") is not a block of this pool: it starts 16 bytes into block 0 of chunk 0 (blocks start"
                        + " every 64 bytes)");
                pool.deallocate(block);
            }
        }

        @Test
        void aSegmentLargerThanABlockIsForeign() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                pool.allocate();
                AllocationException e = fails(pool, ErrorCode.FOREIGN_SEGMENT,
                        () -> pool.deallocate(pool.segment().asSlice(0, 128)));
                assertContains(e.details(), "it is larger than a block (64 bytes)");
            }
        }

        @Test
        void aSegmentGivenBackTwiceIsADoubleFree() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                MemorySegment block = pool.allocate(16, 8);
                pool.allocate();
                pool.deallocate(block);
                AllocationException e = fails(pool, ErrorCode.DOUBLE_FREE, () -> pool.deallocate(block));
                assertEquals("the segment (16 bytes at address 0x" + Long.toHexString(block.address()) + ") is block"
                        + " 0 of chunk 0, which is already free: it was given back before", e.details());
                assertContains(e.getMessage(), "Memory:    192 bytes available, 64 bytes used");
            }
        }

        @Test
        void theTypedDeallocateChecksTheLayout() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                MemorySegment value = pool.allocate(ValueLayout.JAVA_INT);
                fails(pool, ErrorCode.LAYOUT_MISMATCH, () -> pool.deallocate(value, ValueLayout.JAVA_LONG));
                pool.deallocate(value, ValueLayout.JAVA_INT);
                assertEquals(0, pool.usedBytes());
            }
        }

        @Test
        void anInitialiserThatThrowsGivesItsBlockBack() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> pool.allocate(ValueLayout.JAVA_LONG, s -> {
                            throw new IllegalStateException("bad input");
                        }));
                assertEquals("bad input", e.getMessage());
                assertEquals(4, pool.freeBlocks());
            }
        }

        @Test
        void aNullSegmentIsANullPointer() {
            try (PoolAllocator pool = PoolAllocator.create(64, 8, 4)) {
                assertThrows(NullPointerException.class, () -> pool.deallocate(null));
                assertThrows(NullPointerException.class, () -> pool.owns(null));
            }
        }
    }

    @Nested
    class Reset {

        @Test
        void resetGivesEveryBlockBackAndStartsAgainAtTheFirstBlock() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                MemorySegment a = pool.allocate();
                pool.allocate();
                pool.deallocate(a);
                pool.allocateHandle();
                pool.reset();
                assertEquals(0, pool.usedBytes());
                assertEquals(4, pool.freeBlocks());
                for (int i = 0; i < 4; i++) {
                    assertEquals(i * 32L, pool.allocateHandle(), "blocks come in address order after a reset");
                }
            }
        }

        @Test
        void aBlockHandedOutBeforeResetIsAlreadyFreeAfterIt() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                MemorySegment block = pool.allocate();
                pool.reset();
                AllocationException e = fails(pool, ErrorCode.DOUBLE_FREE, () -> pool.deallocate(block));
                assertContains(e.details(), "it has not been handed out since the pool was created or last reset");
            }
        }

        @Test
        void resetKeepsTheChunksAGrownPoolAdded() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 2, PoolConfig.defaults().withAllowGrowth(true))) {
                for (int i = 0; i < 5; i++) {
                    pool.allocate();
                }
                pool.reset();
                assertEquals(3, pool.chunkCount());
                assertEquals(6, pool.freeBlocks());
                for (int i = 0; i < 6; i++) {
                    pool.allocateHandle();
                }
                assertEquals(3, pool.chunkCount(), "no growth while the existing chunks have free blocks");
            }
        }

        @Test
        void zeroOnReleaseZeroesTheBlocksResetReleases() {
            PoolConfig config = PoolConfig.defaults().withZeroOnRelease(true).withAllowGrowth(true);
            try (PoolAllocator pool = PoolAllocator.create(16, 8, 2, config)) {
                for (int i = 0; i < 3; i++) {
                    pool.allocate().fill((byte) 9);
                }
                pool.deallocate(pool.allocate());
                pool.reset();
                for (int i = 0; i < 4; i++) {
                    MemorySegment block = pool.allocate();
                    assertEquals(-1, block.mismatch(MemorySegment.ofArray(new byte[16])), "block " + i);
                }
            }
        }
    }

    @Nested
    class Statistics {

        @Test
        void noStatisticsUnlessTracked() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
                pool.allocate();
                assertEquals(Optional.empty(), pool.statistics());
            }
        }

        @Test
        void trackedStatisticsCountEveryKindOfEvent() {
            PoolConfig config = PoolConfig.defaults().withTrackStats(true).withAllowGrowth(true).withMaxBlocks(4);
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 2, config)) {
                MemorySegment small = pool.allocate(10, 8);
                long handle = pool.allocateHandle();
                pool.allocate();
                pool.deallocate(small);
                pool.deallocateHandle(handle);
                assertThrows(AllocationException.class, () -> pool.allocate(33, 8));
                pool.allocate();
                pool.allocate();
                pool.allocateHandle();
                assertThrows(AllocationException.class, pool::allocateHandle);
                assertEquals(new AllocationStatistics(6, 2, 32 * 6, 32 * 2, 128, 128, 2, 0, 1, 0),
                        pool.statistics().orElseThrow());
                pool.reset();
                assertEquals(new AllocationStatistics(6, 2, 32 * 6, 32 * 6, 0, 128, 2, 1, 1, 0),
                        pool.statistics().orElseThrow());
            }
        }
    }

    @Nested
    class OwnershipAndClose {

        @Test
        @SuppressWarnings("try") // closes the allocator inside its own try block on purpose
        void ownsEveryPartOfEveryChunkAndNothingElse() {
            try (PoolAllocator pool = PoolAllocator.create(32, 8, 2, PoolConfig.defaults().withAllowGrowth(true));
                 Arena arena = Arena.ofConfined()) {
                MemorySegment block = pool.allocate();
                pool.allocate();
                long handle = pool.allocateHandle();
                assertTrue(pool.owns(block));
                assertTrue(pool.owns(block.asSlice(4, 8)));
                assertTrue(pool.owns(pool.segment()));
                assertTrue(pool.owns(pool.segmentOf(handle)));
                assertFalse(pool.owns(arena.allocate(32)));
                assertFalse(pool.owns(MemorySegment.ofArray(new byte[8])));
                pool.close();
                assertFalse(pool.owns(block), "a closed pool owns nothing");
            }
        }

        @Test
        void closeIsIdempotentAndMakesEverySegmentInaccessible() {
            PoolAllocator pool = PoolAllocator.create(32, 8, 4);
            MemorySegment block = pool.allocate();
            long handle = pool.allocateHandle();
            MemorySegment chunk = pool.segmentOf(handle);
            pool.close();
            pool.close();
            assertTrue(pool.isClosed());
            assertThrows(IllegalStateException.class, () -> block.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> chunk.get(ValueLayout.JAVA_LONG, handle));
            assertEquals("PoolAllocator[blockSize=32, stride=32, blocks=4, free=2, chunks=1, closed]",
                    pool.toString());
        }

        @Test
        void everyCallOnAClosedPoolIsClosed() {
            PoolAllocator pool = PoolAllocator.create(32, 8, 4);
            MemorySegment block = pool.allocate();
            long handle = pool.allocateHandle();
            pool.close();
            for (Executable call : List.<Executable>of(pool::allocate, pool::allocateHandle,
                    () -> pool.allocate(8, 8), () -> pool.deallocate(block), () -> pool.deallocateHandle(handle),
                    pool::reset, () -> pool.allocate(ValueLayout.JAVA_INT))) {
                AllocationException e = fails(pool, ErrorCode.CLOSED, call);
                assertEquals("the allocator was closed and its native memory freed", e.details());
                assertContains(e.allocator(), "closed");
                assertEquals("Do not use an allocator after close(); create a new one.", e.suggestions().getFirst());
            }
        }
    }
}
