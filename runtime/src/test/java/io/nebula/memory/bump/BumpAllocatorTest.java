package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BumpAllocatorTest {

    private static AllocationException expect(ErrorCode code, Runnable action) {
        AllocationException e = assertThrows(AllocationException.class, action::run);
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.suggestions().isEmpty(), "every error suggests a fix");
        return e;
    }

    @Nested
    class Creation {
        @Test
        void reservesTheRequestedCapacity() {
            try (BumpAllocator arena = BumpAllocator.create(4096)) {
                assertEquals(4096, arena.capacityBytes());
                assertEquals(0, arena.usedBytes());
                assertEquals(4096, arena.availableBytes());
                assertEquals(4096, arena.segment().byteSize());
                assertEquals(0, arena.segment().address() % 64, "backing block is cache-line aligned");
                assertSame(BumpConfig.defaults(), arena.config());
            }
        }

        @Test
        void rejectsNonPositiveCapacity() {
            AllocationException e = expect(ErrorCode.INVALID_SIZE, () -> BumpAllocator.create(0));
            assertTrue(e.getMessage().contains("the capacity must be at least 1 byte, was 0"), e.getMessage());
            expect(ErrorCode.INVALID_SIZE, () -> BumpAllocator.create(-5));
        }

        @Test
        void reportsCapacityTheSystemCannotReserve() {
            AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> BumpAllocator.create(Long.MAX_VALUE));
            assertTrue(e.getMessage().contains("could not reserve " + Long.MAX_VALUE + " bytes"), e.getMessage());
        }
    }

    @Nested
    class Allocation {
        @Test
        void bumpsForwardAndAlignsEachRequest() {
            try (BumpAllocator arena = BumpAllocator.create(1024)) {
                MemorySegment a = arena.allocate(3, 1);
                MemorySegment b = arena.allocate(8, 8);
                MemorySegment c = arena.allocate(ValueLayout.JAVA_INT);
                assertEquals(3, a.byteSize());
                assertEquals(arena.segment().address(), a.address());
                assertEquals(arena.segment().address() + 8, b.address(), "3 bytes, then 5 bytes of padding");
                assertEquals(arena.segment().address() + 16, c.address());
                assertEquals(20, arena.usedBytes());
                assertEquals(1004, arena.availableBytes());
            }
        }

        @Test
        void alignsToTheAddressNotJustTheOffset() {
            try (BumpAllocator arena = BumpAllocator.create(8192)) {
                arena.allocate(1);
                MemorySegment page = arena.allocate(100, 4096);
                assertEquals(0, page.address() % 4096);
            }
        }

        @Test
        void offsetPathIndexesTheBackingSegment() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                long p = arena.allocateOffset(8, 8);
                long q = arena.allocateOffset(4, 4);
                assertEquals(0, p);
                assertEquals(8, q);
                arena.segment().set(ValueLayout.JAVA_LONG, p, 42L);
                arena.segment().set(ValueLayout.JAVA_INT, q, 7);
                assertEquals(42L, arena.segment().get(ValueLayout.JAVA_LONG, 0));
                assertEquals(12, arena.usedBytes());
            }
        }

        @Test
        void zeroSizedAllocationsTakeNoSpace() {
            try (BumpAllocator arena = BumpAllocator.create(16)) {
                assertEquals(0, arena.allocate(0, 1).byteSize());
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void worksWithTheJdkSegmentAllocatorHelpers() {
            try (BumpAllocator arena = BumpAllocator.create(1024)) {
                MemorySegment s = arena.allocateFrom("hello");
                assertEquals("hello", s.getString(0));
                MemorySegment ints = arena.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3);
                assertEquals(3, ints.getAtIndex(ValueLayout.JAVA_INT, 2));
                MemorySegment longs = arena.allocate(ValueLayout.JAVA_LONG, 4);
                assertEquals(32, longs.byteSize());
                assertEquals(0, longs.address() % 8);
            }
        }

        @Test
        void allocatesAndInitialisesWithAConsumer() {
            MemoryLayout point = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("x"),
                    ValueLayout.JAVA_INT.withName("y"));
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                MemorySegment p = arena.allocate(point, s -> {
                    s.set(ValueLayout.JAVA_INT, 0, 3);
                    s.set(ValueLayout.JAVA_INT, 4, 4);
                });
                assertEquals(3, p.get(ValueLayout.JAVA_INT, 0));
                assertEquals(4, p.get(ValueLayout.JAVA_INT, 4));
                IllegalStateException boom = new IllegalStateException("boom");
                assertSame(boom, assertThrows(IllegalStateException.class, () -> arena.allocate(point, s -> {
                    throw boom;
                })));
            }
        }

        @Test
        void fillPatternIsWrittenOverEveryNewAllocation() {
            try (BumpAllocator arena = BumpAllocator.create(64, BumpConfig.defaults().withFillPattern((byte) 0xAA))) {
                MemorySegment s = arena.allocate(16, 8);
                for (long i = 0; i < 16; i++) {
                    assertEquals((byte) 0xAA, s.get(ValueLayout.JAVA_BYTE, i));
                }
                assertEquals(0, arena.segment().get(ValueLayout.JAVA_BYTE, 16), "bytes beyond stay untouched");
            }
        }

        @Test
        void outOfMemoryNamesTheNumbersAndLeavesTheStateUnchanged() {
            try (BumpAllocator arena = BumpAllocator.create(4096)) {
                arena.allocate(3968, 8);
                AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(512, 8));
                assertEquals(128, e.availableBytes());
                assertEquals(3968, e.usedBytes());
                assertEquals(new AllocationException.Request(512, 8), e.request().orElseThrow());
                String m = e.getMessage();
                assertAll(
                        () -> assertTrue(m.startsWith("Memory allocation error: Out of memory [OUT_OF_MEMORY]"), m),
                        () -> assertTrue(m.contains("Layout:    512 bytes (alignment 8)"), m),
                        () -> assertTrue(m.contains("Memory:    128 bytes available, 3968 bytes used"), m),
                        () -> assertTrue(m.contains("needs 512 bytes at offset 3968 but only 128 bytes remain"), m),
                        () -> assertTrue(m.contains("1. Increase the capacity to at least 4480 bytes"), m),
                        () -> assertTrue(m.contains("2. Call reset()"), m),
                        () -> assertTrue(m.contains("3. Make the arena growable when the total is not known in"
                                + " advance: BumpConfig.defaults().withGrowth(maxChunkBytes, limitBytes)."), m));
                assertEquals(3968, arena.usedBytes());
                assertEquals(128, arena.allocate(128, 8).byteSize(), "the arena still serves what fits");
            }
        }

        @Test
        void outOfMemoryCountsAlignmentPadding() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                arena.allocate(1, 1);
                AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(60, 8));
                assertTrue(e.getMessage().contains("plus 7 bytes of alignment padding"), e.getMessage());
                assertEquals(1, arena.usedBytes());
            }
        }

        @Test
        void aRequestLargerThanTheArenaSaysSo() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(1000));
                assertTrue(e.getMessage().contains("larger than the whole arena (64 bytes)"), e.getMessage());
                expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocateOffset(Long.MAX_VALUE, 1));
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void rejectsNegativeSizes() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                AllocationException e = expect(ErrorCode.INVALID_SIZE, () -> arena.allocate(-1, 8));
                assertTrue(e.getMessage().contains("the size is negative: -1 bytes"), e.getMessage());
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void rejectsAlignmentsThatAreNotPowersOfTwo() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                arena.allocate(1);
                for (long bad : new long[] {0, -8, 3, 12, Long.MIN_VALUE}) {
                    AllocationException e = expect(ErrorCode.INVALID_ALIGNMENT, () -> arena.allocate(8, bad));
                    assertTrue(e.getMessage().contains("the alignment " + bad + " is not a positive power of two"),
                            e.getMessage());
                }
                AllocationException e = expect(ErrorCode.INVALID_ALIGNMENT, () -> arena.allocate(8, 12));
                assertTrue(e.getMessage().contains("Use a power of two such as 8 or 16."), e.getMessage());
                assertEquals(1, arena.usedBytes());
            }
        }
    }

    @Nested
    class Deallocation {
        @Test
        void isANoOpForOwnSegments() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                MemorySegment s = arena.allocate(16);
                arena.deallocate(s);
                arena.deallocate(s, MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE));
                assertEquals(16, arena.usedBytes());
            }
        }

        @Test
        void rejectsSegmentsOfOtherAllocators() {
            try (BumpAllocator arena = BumpAllocator.create(64); BumpAllocator other = BumpAllocator.create(64);
                 Arena jdk = Arena.ofConfined()) {
                AllocationException e = expect(ErrorCode.FOREIGN_SEGMENT, () -> arena.deallocate(other.allocate(8)));
                assertTrue(e.getMessage().contains("is not inside this arena's block"), e.getMessage());
                expect(ErrorCode.FOREIGN_SEGMENT, () -> arena.deallocate(jdk.allocate(8)));
                AllocationException heap = expect(ErrorCode.FOREIGN_SEGMENT,
                        () -> arena.deallocate(MemorySegment.ofArray(new byte[8])));
                assertTrue(heap.getMessage().contains("on the heap"), heap.getMessage());
            }
        }

        @Test
        void typedDeallocationChecksTheLayout() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                MemorySegment s = arena.allocate(ValueLayout.JAVA_INT);
                AllocationException e = expect(ErrorCode.LAYOUT_MISMATCH,
                        () -> arena.deallocate(s, ValueLayout.JAVA_LONG));
                assertTrue(e.getMessage().contains("does not have the size and alignment of"), e.getMessage());
            }
        }

        @Test
        void ownsOnlyItsOwnMemory() {
            try (BumpAllocator arena = BumpAllocator.create(64); Arena jdk = Arena.ofConfined()) {
                assertTrue(arena.owns(arena.allocate(8)));
                assertTrue(arena.owns(arena.segment()));
                assertFalse(arena.owns(jdk.allocate(8)));
                assertFalse(arena.owns(MemorySegment.ofArray(new byte[4])));
            }
        }
    }

    @Nested
    class CheckpointsAndScopes {
        @Test
        void restoreReleasesEverythingAllocatedAfterTheCheckpoint() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                arena.allocate(10);
                Checkpoint cp = arena.checkpoint();
                assertEquals(10, cp.usedBytes());
                arena.allocate(100);
                arena.restore(cp);
                assertEquals(10, arena.usedBytes());
                AllocationException again = expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(cp));
                assertTrue(again.getMessage().contains("discarded by an earlier restore (of it"), again.getMessage());
                assertEquals(10, arena.usedBytes());
            }
        }

        @Test
        void theTryFinallyIdiomKeepsNoCheckpointBehind() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                for (int call = 0; call < 100_000; call++) {
                    Checkpoint mark = arena.checkpoint();
                    try {
                        arena.allocate(64);
                    } finally {
                        arena.restore(mark);
                    }
                }
                assertEquals(0, arena.checkpoint().depth(), "no checkpoint of the finished calls is still live");
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void restoringAnOuterCheckpointDiscardsInnerOnes() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                Checkpoint outer = arena.checkpoint();
                arena.allocate(10);
                Checkpoint inner = arena.checkpoint();
                assertEquals(1, inner.depth());
                arena.allocate(40);
                arena.restore(outer);
                arena.allocate(60);
                AllocationException e = expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(inner));
                assertTrue(e.getMessage().contains("discarded by an earlier restore"), e.getMessage());
                assertEquals(60, arena.usedBytes(), "a refused restore changes nothing");
            }
        }

        @Test
        void resetDiscardsEveryCheckpoint() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                Checkpoint cp = arena.checkpoint();
                arena.reset();
                expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(cp));
            }
        }

        @Test
        void rejectsACheckpointOfAnotherAllocator() {
            try (BumpAllocator a = BumpAllocator.create(64); BumpAllocator b = BumpAllocator.create(64)) {
                Checkpoint foreign = b.checkpoint();
                AllocationException e = expect(ErrorCode.INVALID_CHECKPOINT, () -> a.restore(foreign));
                assertTrue(e.getMessage().contains("taken on another allocator"), e.getMessage());
            }
        }

        @Test
        void scopesNestAndRestoreOnClose() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                arena.allocate(8);
                try (Scope _ = arena.scope()) {
                    arena.allocate(16);
                    try (Scope _ = arena.scope()) {
                        arena.allocate(32);
                        assertEquals(56, arena.usedBytes());
                    }
                    assertEquals(24, arena.usedBytes());
                }
                assertEquals(8, arena.usedBytes());
            }
        }

        @Test
        void scopeRestoresWhenTheBodyThrows() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                assertThrows(IllegalStateException.class, () -> {
                    try (Scope _ = arena.scope()) {
                        arena.allocate(100);
                        throw new IllegalStateException("request failed");
                    }
                });
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void closingAScopeTwiceIsHarmlessButClosingOutOfOrderIsAnError() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                Scope outer = arena.scope();
                arena.allocate(8);
                Scope inner = arena.scope();
                outer.close();
                outer.close();
                expect(ErrorCode.INVALID_CHECKPOINT, inner::close);
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void aStaleScopeAtTheDepthOfALiveOneIsRefusedAndTheLiveOneStillCloses() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                Checkpoint first = arena.checkpoint();
                Scope stale = arena.scope();
                arena.restore(first);                      // discards the scope
                arena.allocate(8);
                Checkpoint second = arena.checkpoint();
                Scope live = arena.scope();                // the stale scope's depth, another id
                arena.allocate(16);
                expect(ErrorCode.INVALID_CHECKPOINT, stale::close);
                assertFalse(stale.isClosed());
                assertEquals(24, arena.usedBytes(), "the refused close changed nothing");
                live.close();
                assertEquals(8, arena.usedBytes());
                arena.restore(second);
                assertEquals(8, arena.usedBytes());
            }
        }

        @Test
        void restoringACheckpointInsideAScopeLeavesTheScopeLiveAndClosable() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                arena.allocate(8);
                Scope outer = arena.scope();
                arena.allocate(16);
                Checkpoint inside = arena.checkpoint();
                arena.allocate(32);
                arena.restore(inside);                     // discards a frame: the scope is now of an older epoch
                assertEquals(24, arena.usedBytes());
                Scope inner = arena.scope();               // the depth the checkpoint had
                arena.allocate(64);
                inner.close();
                assertEquals(24, arena.usedBytes());
                outer.close();                             // the slow path checks the older frame and closes it
                assertTrue(outer.isClosed());
                assertEquals(8, arena.usedBytes());
                expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(inside));
            }
        }

        @Test
        void aCheckpointDiscardedByAScopesCloseStaysDeadWhenItsDepthIsReused() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                Scope scope = arena.scope();
                Checkpoint inside = arena.checkpoint();
                arena.allocate(8);
                scope.close();                             // not the innermost: discards the checkpoint too
                Scope again = arena.scope();
                Scope deeper = arena.scope();              // the checkpoint's depth, with no checkpoint in it
                arena.allocate(16);
                expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(inside));
                assertEquals(16, arena.usedBytes(), "the refused restore changed nothing");
                deeper.close();
                again.close();
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void closingAScopeReleasesAndDiscardsTheCheckpointsTakenInsideIt() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                Scope scope = arena.scope();
                arena.allocate(8);
                Checkpoint inside = arena.checkpoint();
                arena.allocate(16);
                scope.close();                             // not the innermost: goes through restore
                assertEquals(0, arena.usedBytes());
                expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(inside));
            }
        }

        @Test
        void closingAScopeZeroesWhatItReleasesWhenAsked() {
            try (BumpAllocator arena = BumpAllocator.create(128, BumpConfig.defaults().withZeroOnRelease(true))) {
                MemorySegment scratch;
                try (Scope _ = arena.scope()) {
                    scratch = arena.allocate(32);
                    scratch.fill((byte) 0x5A);
                }
                assertEquals(-1, scratch.mismatch(MemorySegment.ofArray(new byte[32])), "released bytes read as zero");
            }
        }

        @Test
        void aScopeWhoseCloseFailedStaysOpenAndCanBeClosedAgain() throws InterruptedException {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                Scope scope = arena.scope();
                arena.allocate(100);
                AtomicReference<Throwable> seen = new AtomicReference<>();
                Thread intruder = new Thread(() -> {
                    try {
                        scope.close();
                    } catch (Throwable e) {
                        seen.set(e);
                    }
                }, "intruder");
                intruder.start();
                intruder.join();
                assertEquals(ErrorCode.WRONG_THREAD, assertInstanceOf(AllocationException.class, seen.get()).code());
                assertFalse(scope.isClosed(), "a failed close leaves the scope open");
                assertEquals(100, arena.usedBytes(), "and the arena unchanged");
                scope.close();
                assertTrue(scope.isClosed());
                assertEquals(0, arena.usedBytes(), "the second close restores");
                scope.close();
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void aCheckpointSaysWhereItWasTakenAndHowDeep() {
            try (BumpAllocator arena = BumpAllocator.create(256)) {
                arena.allocate(24);
                Checkpoint outer = arena.checkpoint();
                arena.allocate(8);
                Checkpoint inner = arena.checkpoint();
                assertEquals(24, outer.usedBytes());
                assertEquals(0, outer.depth());
                assertEquals(32, inner.usedBytes());
                assertEquals(1, inner.depth());
                assertTrue(inner.toString().contains("depth=1, usedBytes=32"), inner.toString());
            }
        }

        @Test
        void rejectsACheckpointOfAnotherKind() {
            Checkpoint own = new Checkpoint() {
                @Override
                public long usedBytes() {
                    return 0;
                }

                @Override
                public int depth() {
                    return 0;
                }
            };
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                arena.allocate(8);
                AllocationException e = expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(own));
                assertTrue(e.getMessage().contains("not a checkpoint of a BumpAllocator"), e.getMessage());
                assertEquals(8, arena.usedBytes());
                assertThrows(NullPointerException.class, () -> arena.restore(null));
            }
        }

        @Test
        void aScopeReportsWhetherItIsClosed() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                Scope scope = arena.scope();
                assertFalse(scope.isClosed());
                scope.close();
                assertTrue(scope.isClosed());
                assertTrue(scope.toString().endsWith(", closed]"), scope.toString());
            }
        }

        @Test
        void resetIsConstantTimeAndReleasesEverything() {
            try (BumpAllocator arena = BumpAllocator.create(1 << 16)) {
                for (int i = 0; i < 1000; i++) {
                    arena.allocate(16, 8);
                }
                arena.reset();
                assertEquals(0, arena.usedBytes());
                assertEquals(1 << 16, arena.availableBytes());
            }
        }

        @Test
        void zeroOnReleaseClearsReleasedBytes() {
            try (BumpAllocator arena = BumpAllocator.create(128, BumpConfig.defaults().withZeroOnRelease(true))) {
                arena.allocate(16).fill((byte) 7);
                Checkpoint cp = arena.checkpoint();
                arena.allocate(16).fill((byte) 9);
                arena.restore(cp);
                assertEquals(7, arena.segment().get(ValueLayout.JAVA_BYTE, 15));
                assertEquals(0, arena.segment().get(ValueLayout.JAVA_BYTE, 16));
                arena.reset();
                assertEquals(0, arena.segment().get(ValueLayout.JAVA_BYTE, 0));
            }
        }
    }

    @Nested
    class Statistics {
        @Test
        void emptyWhenNotTracked() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                assertTrue(arena.statistics().isEmpty());
            }
        }

        @Test
        void countsAllocationsFailuresAndReleases() {
            try (BumpAllocator arena = BumpAllocator.create(128, BumpConfig.defaults().withTrackStats(true))) {
                arena.allocate(10);
                Checkpoint cp = arena.checkpoint();
                arena.allocate(20, 8);
                assertThrows(AllocationException.class, () -> arena.allocate(1000));
                arena.restore(cp);
                arena.reset();
                AllocationStatistics s = arena.statistics().orElseThrow();
                assertEquals(new AllocationStatistics(2, 0, 10 + 26, 10 + 26, 0, 36, 1, 2, 0, 0), s, "padding counts");
                assertEquals("{\"allocations\":2,\"deallocations\":0,\"bytesAllocated\":36,\"bytesFreed\":36,"
                        + "\"currentBytes\":0,\"peakBytes\":36,\"failedAllocations\":1,\"resets\":2,\"growths\":0,"
                        + "\"wastedBytes\":0}",
                        s.toJson());
            }
        }
    }

    @Nested
    class Lifecycle {
        @Test
        void closeMakesEverySegmentInaccessible() {
            BumpAllocator arena = BumpAllocator.create(64);
            MemorySegment s = arena.allocate(8);
            long p = arena.allocateOffset(8, 8);
            MemorySegment block = arena.segment();
            arena.close();
            assertTrue(arena.isClosed());
            assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> block.get(ValueLayout.JAVA_LONG, p));
            arena.close();
        }

        @Test
        void everyOperationAfterCloseFailsWithClosed() {
            BumpAllocator arena = BumpAllocator.create(64);
            Checkpoint cp = arena.checkpoint();
            MemorySegment s = arena.allocate(8);
            arena.close();
            AllocationException e = expect(ErrorCode.CLOSED, () -> arena.allocate(8));
            assertTrue(e.getMessage().contains("BumpAllocator[capacity=64, used=8, closed]"), e.getMessage());
            expect(ErrorCode.CLOSED, () -> arena.allocateOffset(8, 8));
            expect(ErrorCode.CLOSED, arena::checkpoint);
            expect(ErrorCode.CLOSED, () -> arena.restore(cp));
            expect(ErrorCode.CLOSED, arena::reset);
            expect(ErrorCode.CLOSED, () -> arena.deallocate(s));
            assertFalse(arena.owns(s));
        }

        @Test
        void anotherThreadIsRefused() throws InterruptedException {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                AtomicReference<Throwable> seen = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        arena.allocate(8);
                    } catch (Throwable e) {
                        seen.set(e);
                    }
                }, "intruder");
                t.start();
                t.join();
                AllocationException e = assertInstanceOf(AllocationException.class, seen.get());
                assertEquals(ErrorCode.WRONG_THREAD, e.code());
                assertTrue(e.getMessage().contains("used from thread \"intruder\""), e.getMessage());
                assertEquals(0, arena.usedBytes());
            }
        }

        @Test
        void toStringShowsTheState() {
            try (BumpAllocator arena = BumpAllocator.create(64)) {
                arena.allocate(5);
                assertEquals("BumpAllocator[capacity=64, used=5]", arena.toString());
                assertNotSame(arena.segment(), arena.allocate(1));
            }
            try (BumpAllocator arena = BumpAllocator.create(64, BumpConfig.defaults().withThreadSafe(true)
                    .withChecked(true))) {
                assertEquals("BumpAllocator[capacity=64, used=0, thread-safe, checked]", arena.toString());
            }
            try (BumpAllocator arena = BumpAllocator.create(64, BumpConfig.defaults().withGrowth(128, 1024))) {
                arena.allocate(100);
                assertEquals("BumpAllocator[capacity=192, used=164, chunks=2, limit=1024]", arena.toString());
            }
        }
    }
}
