package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The growable arena: how chunks are chained, reused, kept and freed, and every way growth can fail. */
class BumpAllocatorGrowthTest {

    private static BumpAllocator growable(long capacity, long maxChunk, long limit) {
        return BumpAllocator.create(capacity, BumpConfig.defaults().withGrowth(maxChunk, limit).withTrackStats(true));
    }

    private static AllocationException expect(ErrorCode code, Runnable action) {
        AllocationException e = assertThrows(AllocationException.class, action::run);
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.suggestions().isEmpty(), "every error suggests a fix");
        return e;
    }

    @Nested
    class Chaining {
        @Test
        void chunksDoubleFromTheCapacityUpToTheMaximum() {
            try (BumpAllocator arena = growable(1024, 8192, 1 << 20)) {
                List<Long> sizes = new ArrayList<>();
                MemorySegment chunk = arena.segment();
                sizes.add(chunk.byteSize());
                for (int i = 0; i < 1 + 2 + 4 + 8 + 8 + 8; i++) {
                    MemorySegment s = arena.allocate(1024, 8);
                    if (arena.segment() != chunk) {
                        chunk = arena.segment();
                        sizes.add(chunk.byteSize());
                    }
                    assertTrue(s.address() >= chunk.address()
                            && s.address() + 1024 <= chunk.address() + chunk.byteSize(), "in the current chunk");
                }
                assertEquals(List.of(1024L, 2048L, 4096L, 8192L, 8192L, 8192L), sizes);
                assertEquals(6, arena.chunkCount());
                assertEquals(1024 + 2048 + 4096 + 3 * 8192, arena.capacityBytes());
                assertEquals(arena.capacityBytes(), arena.usedBytes(), "every chunk is exactly full");
                assertEquals(5, arena.statistics().orElseThrow().growths());
            }
        }

        @Test
        void aRequestLargerThanTheNextDoublingGetsThePowerOfTwoMultipleThatHoldsIt() {
            try (BumpAllocator arena = growable(1024, 1 << 20, 1 << 30)) {
                arena.allocate(1000);
                arena.allocate(10_000);
                assertEquals(16_384, arena.segment().byteSize());
                arena.allocate(10_000);
                assertEquals(32_768, arena.segment().byteSize(), "the next chunk doubles the previous new one");
            }
        }

        @Test
        void aRequestLargerThanTheMaximumChunkGetsAChunkOfItsOwnSize() {
            try (BumpAllocator arena = growable(1024, 4096, 1 << 20)) {
                MemorySegment big = arena.allocate(10_000, 8);
                assertEquals(10_048, arena.segment().byteSize(), "its own size, rounded up to 64 bytes");
                assertEquals(arena.segment().address(), big.address());
                arena.allocate(100);
                assertEquals(2048, arena.segment().byteSize(), "ordinary chunks double on from the last ordinary one");
                assertEquals(1024 + 10_048 + 100, arena.usedBytes(), "the big chunk's 48-byte tail was skipped");
            }
        }

        @Test
        void aNewChunkIsAlignedForTheRequestThatAskedForIt() {
            try (BumpAllocator arena = growable(64, 1 << 16, 1 << 20)) {
                arena.allocate(8);
                MemorySegment page = arena.allocate(100, 4096);
                assertEquals(0, page.address() % 4096);
                assertEquals(arena.segment().address(), page.address(), "no padding at the chunk's start");
                assertEquals(64 + 100, arena.usedBytes());
            }
        }

        @Test
        void theTailThatARequestSkipsCountsAsUsedUntilReleased() {
            try (BumpAllocator arena = growable(100, 1000, 10_000)) {
                arena.allocate(60);
                Checkpoint beforeSkip = arena.checkpoint();
                arena.allocate(60);
                assertAll(
                        () -> assertEquals(100 + 60, arena.usedBytes(), "the 40-byte tail counts as used"),
                        () -> assertEquals(300, arena.capacityBytes()),
                        () -> assertEquals(300 - 160, arena.availableBytes()),
                        () -> assertEquals(160, arena.statistics().orElseThrow().bytesAllocated(), "the tail too"),
                        () -> assertEquals(160, arena.statistics().orElseThrow().currentBytes()));
                arena.restore(beforeSkip);
                assertEquals(60, arena.usedBytes());
                assertEquals(100, arena.statistics().orElseThrow().bytesFreed(), "the tail is released with the rest");
            }
        }

        @Test
        void segmentIsTheCurrentChunkAndOwnsSeesEveryChunk() {
            try (BumpAllocator arena = growable(64, 1024, 4096); Arena jdk = Arena.ofConfined()) {
                MemorySegment first = arena.allocate(64);
                MemorySegment firstChunk = arena.segment();
                MemorySegment second = arena.allocate(64);
                assertNotEquals(firstChunk.address(), arena.segment().address());
                assertTrue(arena.owns(first));
                assertTrue(arena.owns(second));
                assertTrue(arena.owns(firstChunk));
                arena.deallocate(first);
                AllocationException e = expect(ErrorCode.FOREIGN_SEGMENT, () -> arena.deallocate(jdk.allocate(8)));
                assertTrue(e.getMessage().contains("is not inside any of this arena's chunks"), e.getMessage());
            }
        }
    }

    @Nested
    class Offsets {
        @Test
        void theOffsetPathIsOnlyOnFixedArenas() {
            try (BumpAllocator arena = growable(1024, 4096, 1 << 20)) {
                arena.allocate(16);
                AllocationException e = expect(ErrorCode.INVALID_SIZE, () -> arena.allocateOffset(8, 8));
                String m = e.getMessage();
                assertAll(
                        () -> assertTrue(m.contains("offsets index segment(), the one block of a fixed arena; this"
                                + " arena grows (chunks of up to 4096 bytes, limit 1048576 bytes)"), m),
                        () -> assertTrue(m.contains("1. Use allocate(byteSize, byteAlignment)"), m),
                        () -> assertTrue(m.contains("BumpConfig.withoutGrowth()"), m));
                assertEquals(16, arena.usedBytes(), "a refused request changes nothing");
                assertEquals(1, arena.statistics().orElseThrow().failedAllocations());
                AllocationException negative = expect(ErrorCode.INVALID_SIZE, () -> arena.allocateOffset(-1, 8));
                assertTrue(negative.getMessage().contains("the size is negative"), negative.getMessage());
                expect(ErrorCode.INVALID_ALIGNMENT, () -> arena.allocateOffset(8, 3));
            }
        }

        @Test
        void theThreadSafeGrowableArenaRefusesOffsetsToo() {
            BumpConfig config = BumpConfig.defaults().withThreadSafe(true).withGrowth(4096, 1 << 20);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                expect(ErrorCode.INVALID_SIZE, () -> arena.allocateOffset(8, 8));
                assertEquals(0, arena.usedBytes());
            }
        }
    }

    @Nested
    class Limits {
        @ParameterizedTest(name = "threadSafe={0}")
        @ValueSource(booleans = {false, true})
        void exceedingTheLimitIsOutOfMemoryWithTheNumbersAndTheOptionToRaise(boolean threadSafe) {
            BumpConfig config = BumpConfig.defaults().withThreadSafe(threadSafe).withGrowth(4096, 8192)
                    .withTrackStats(true);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                arena.allocate(1024);
                arena.allocate(2048);
                arena.allocate(4096);
                AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(2000, 8));
                String m = e.getMessage();
                assertAll(
                        () -> assertTrue(m.contains("the request needs 2000 bytes, more than the 0 bytes left in the"
                                + " current chunk, and the growth limit of 8192 bytes leaves room for a new chunk of"
                                + " only 1024 bytes (7168 bytes reserved in chunks [1024, 2048, 4096 (current)])"), m),
                        () -> assertTrue(m.contains("1. Raise the limit to at least 11264 bytes:"
                                + " BumpConfig.withGrowth(4096, 11264)."), m),
                        () -> assertTrue(m.contains("2. Call reset(), or restore a checkpoint"), m),
                        () -> assertEquals(0, e.availableBytes()),
                        () -> assertEquals(7168, e.usedBytes()),
                        () -> assertEquals(new AllocationException.Request(2000, 8), e.request().orElseThrow()));
                assertEquals(7168, arena.usedBytes(), "a refused request changes nothing");
                assertEquals(3, arena.chunkCount());
                assertEquals(1, arena.statistics().orElseThrow().failedAllocations());
                arena.allocate(1000);
                assertEquals(1024, arena.segment().byteSize(), "the last chunk is cut short to meet the limit");
                assertEquals(8192, arena.capacityBytes());
            }
        }

        @Test
        void aRequestLargerThanTheLimitSaysWhy() {
            try (BumpAllocator arena = growable(1024, 4096, 8192)) {
                AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(100_000));
                String m = e.getMessage();
                assertAll(
                        () -> assertTrue(m.contains("the request needs 100000 bytes, more than the 1024 bytes left"), m),
                        () -> assertTrue(m.contains("1. Raise the limit to at least 101056 bytes:"
                                + " BumpConfig.withGrowth(4096, 101056)."), m),
                        () -> assertTrue(m.contains("2. The request is larger than maxChunkBytes (4096 bytes), so it"
                                + " needs a chunk of its own"), m));
                assertEquals(1, arena.chunkCount());
            }
        }

        @Test
        void spareChunksAreFreedWhenANewChunkNeedsTheirRoomUnderTheLimit() {
            try (BumpAllocator arena = growable(1024, 4096, 8192)) {
                Checkpoint start = arena.checkpoint();
                arena.allocate(1024);
                arena.allocate(2048);
                arena.restore(start);
                assertEquals(2, arena.chunkCount(), "the 2048-byte chunk stays as a spare");
                MemorySegment big = arena.allocate(7000);
                assertEquals(7040, arena.segment().byteSize(), "a chunk of its own, 7000 rounded up to 64");
                assertEquals(2, arena.chunkCount(), "the 2048-byte spare was freed to stay within 8192 bytes");
                assertEquals(1024 + 7040, arena.capacityBytes());
                assertEquals(7000, big.byteSize());
                String message = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(200)).getMessage();
                assertTrue(message.contains("chunks [1024, 7040 (current)]"), message);
            }
        }

        @Test
        void aZeroByteRequestPastTheLastChunkAtTheLimitIsOutOfMemoryNotAnEmptyChunk() {
            try (BumpAllocator arena = growable(100, 100, 200)) {
                arena.allocate(100, 1);
                arena.allocate(0, 8);
                assertEquals(2, arena.chunkCount(), "aligned to 8, even 0 bytes start at 104, past the first chunk");
                arena.allocate(100, 1);
                assertEquals(200, arena.capacityBytes(), "the limit is reached exactly");
                expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(0, 8));
                assertEquals(2, arena.chunkCount(), "no chunk of zero bytes");
            }
        }

        @Test
        void theCapacityMayNotExceedTheLimit() {
            AllocationException e = expect(ErrorCode.INVALID_SIZE,
                    () -> BumpAllocator.create(4096, BumpConfig.defaults().withGrowth(1024, 2048)));
            assertTrue(e.getMessage().contains("the first chunk (4096 bytes) is larger than the growth limit of 2048"
                    + " bytes"), e.getMessage());
            assertTrue(e.getMessage().contains("BumpConfig.withGrowth(1024, 4096)"), e.getMessage());
        }
    }

    @Nested
    class Releasing {
        @ParameterizedTest(name = "threadSafe={0}")
        @ValueSource(booleans = {false, true})
        void restoringIntoAnEarlierChunkKeepsTheLaterChunksAsSparesForReuse(boolean threadSafe) {
            BumpConfig config = BumpConfig.defaults().withThreadSafe(threadSafe).withGrowth(4096, 1 << 20)
                    .withTrackStats(true);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                MemorySegment firstChunk = arena.segment();
                arena.allocate(512);
                Checkpoint checkpoint = arena.checkpoint();
                MemorySegment inSecond = arena.allocate(1024);
                arena.allocate(2048);
                assertEquals(3, arena.chunkCount());
                assertEquals(1024 + 2048 + 2048, arena.usedBytes());
                arena.restore(checkpoint);
                assertAll(
                        () -> assertEquals(512, arena.usedBytes()),
                        () -> assertEquals(firstChunk.address(), arena.segment().address()),
                        () -> assertEquals(3, arena.chunkCount()),
                        () -> assertEquals(1024 + 2048 + 4096, arena.capacityBytes()),
                        () -> assertEquals(1024 + 2048 + 4096 - 512, arena.availableBytes()),
                        () -> assertTrue(inSecond.scope().isAlive(), "spares are kept, not freed"));
                MemorySegment again = arena.allocate(1024);
                assertEquals(inSecond.address(), again.address(), "the spare is reused");
                assertEquals(2, arena.statistics().orElseThrow().growths(), "no new chunk was reserved");
                assertEquals(1024 + 1024, arena.usedBytes());
            }
        }

        @Test
        void scopesWorkAcrossChunks() {
            try (BumpAllocator arena = growable(256, 1024, 1 << 20)) {
                arena.allocate(100);
                try (Scope _ = arena.scope()) {
                    for (int i = 0; i < 20; i++) {
                        arena.allocate(200);
                    }
                    assertTrue(arena.chunkCount() > 3);
                }
                assertEquals(100, arena.usedBytes());
                assertEquals(256, arena.segment().byteSize(), "back in the first chunk");
            }
        }

        @ParameterizedTest(name = "threadSafe={0}")
        @ValueSource(booleans = {false, true})
        void resetKeepsTheLargestChunkAndFreesTheOthers(boolean threadSafe) {
            BumpConfig config = BumpConfig.defaults().withThreadSafe(threadSafe).withGrowth(4096, 1 << 20);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                MemorySegment inFirst = arena.allocate(1024);
                MemorySegment inSecond = arena.allocate(2048);
                arena.allocate(4096);
                MemorySegment largest = arena.segment();
                arena.reset();
                assertAll(
                        () -> assertEquals(1, arena.chunkCount()),
                        () -> assertEquals(4096, arena.capacityBytes()),
                        () -> assertEquals(0, arena.usedBytes()),
                        () -> assertEquals(largest.address(), arena.segment().address()),
                        () -> assertFalse(inFirst.scope().isAlive(), "a freed chunk's segments are closed"),
                        () -> assertFalse(inSecond.scope().isAlive()));
                assertEquals(largest.address(), arena.allocate(8).address());
            }
        }

        @Test
        void keepAllChunksKeepsEveryChunkSoASteadyLoopReservesNothing() {
            BumpConfig config = BumpConfig.defaults().withGrowth(4096, 1 << 20).withKeepAllChunks(true)
                    .withTrackStats(true);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                for (int round = 0; round < 10; round++) {
                    for (int i = 0; i < 7; i++) {
                        arena.allocate(1000);
                    }
                    arena.reset();
                }
                AllocationStatistics stats = arena.statistics().orElseThrow();
                assertEquals(2, stats.growths(), "two chunks reserved in the first round, none after");
                assertEquals(1024 + 2048 + 4096, arena.capacityBytes());
                assertEquals(4096, arena.segment().byteSize(), "the largest chunk comes first after a reset");
            }
        }

        @Test
        void zeroOnReleaseClearsEveryReleasedByteInEveryChunk() {
            BumpConfig config = BumpConfig.defaults().withGrowth(4096, 1 << 20).withZeroOnRelease(true)
                    .withKeepAllChunks(true);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                arena.allocate(512).fill((byte) 1);
                Checkpoint checkpoint = arena.checkpoint();
                arena.allocate(512).fill((byte) 2);
                arena.allocate(2000).fill((byte) 3);
                arena.allocate(3000).fill((byte) 4);
                arena.restore(checkpoint);
                MemorySegment rest = arena.allocate(512);
                MemorySegment spare = arena.allocate(2048);
                MemorySegment larger = arena.allocate(4096);
                for (MemorySegment s : List.of(rest, spare, larger)) {
                    assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) s.byteSize()])),
                            "every reused byte reads as zero");
                }
                arena.reset();
                MemorySegment whole = arena.allocate(4096);
                assertEquals(-1, whole.mismatch(MemorySegment.ofArray(new byte[4096])));
            }
        }

        @Test
        void checkedModeKillsSegmentsReleasedInAnyChunk() {
            BumpConfig config = BumpConfig.defaults().withGrowth(4096, 1 << 20).withChecked(true);
            try (BumpAllocator arena = BumpAllocator.create(1024, config)) {
                MemorySegment kept = arena.allocate(1000);
                Checkpoint checkpoint = arena.checkpoint();
                MemorySegment later = arena.allocate(1000);
                assertEquals(1024 + 1000, arena.usedBytes(), "accounting as unchecked");
                arena.restore(checkpoint);
                assertThrows(IllegalStateException.class, () -> later.get(ValueLayout.JAVA_BYTE, 0));
                kept.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                assertTrue(arena.owns(kept));
                assertEquals(ErrorCode.USE_AFTER_FREE, expect(ErrorCode.USE_AFTER_FREE,
                        () -> arena.deallocate(later)).code());
            }
        }

        @Test
        void aLeakReportCountsTheBytesOfOpenScopesInEveryChunk() {
            BumpConfig config = BumpConfig.defaults().withGrowth(1024, 1 << 20).withLeakPolicy(LeakPolicy.FAIL);
            BumpAllocator arena = BumpAllocator.create(256, config);
            arena.allocate(200);
            arena.scope();
            arena.allocate(100);
            arena.allocate(500);
            AllocationException e = expect(ErrorCode.LEAK, arena::close);
            assertTrue(e.getMessage().contains("holding " + (56 + 512 + 500) + " bytes"), e.getMessage());
            assertTrue(arena.isClosed());
        }
    }

    @Nested
    class Configuration {
        @Test
        void growthIsOffByDefaultAndEachBoundIsChecked() {
            assertTrue(BumpConfig.defaults().growth().isEmpty());
            BumpConfig growing = BumpConfig.defaults().withGrowth(4096, 1 << 20);
            assertEquals(new BumpConfig.Growth(4096, 1 << 20, false), growing.growth().orElseThrow());
            assertTrue(growing.withKeepAllChunks(true).growth().orElseThrow().keepAllChunks());
            assertTrue(growing.withoutGrowth().growth().isEmpty());
            IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
                    () -> BumpConfig.defaults().withGrowth(0, 1024));
            assertEquals("maxChunkBytes must be at least 1, was 0", max.getMessage());
            IllegalArgumentException limit = assertThrows(IllegalArgumentException.class,
                    () -> new BumpConfig.Growth(1024, -1, false));
            assertEquals("limitBytes must be at least 1, was -1", limit.getMessage());
            IllegalStateException keep = assertThrows(IllegalStateException.class,
                    () -> BumpConfig.defaults().withKeepAllChunks(true));
            assertTrue(keep.getMessage().contains("call withGrowth(maxChunkBytes, limitBytes) first"));
        }

        @Test
        void aFixedArenaHasOneChunk() {
            try (BumpAllocator arena = BumpAllocator.create(4096)) {
                assertEquals(1, arena.chunkCount());
                AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(5000));
                assertTrue(e.getMessage().contains("larger than the whole arena (4096 bytes)"), e.getMessage());
                assertEquals(1, arena.chunkCount());
            }
        }
    }
}
