package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakWarnings;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.nebula.memory.stack.StackAssertions.assertFails;
import static io.nebula.memory.stack.StackAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakWarnings.class)
class StackAllocatorTest {

    @Nested
    class Creation {

        @Test
        void startsEmptyWithTheWholeCapacityAvailable() {
            try (StackAllocator stack = StackAllocator.create(8192)) {
                assertEquals(8192, stack.capacityBytes());
                assertEquals(0, stack.usedBytes());
                assertEquals(8192, stack.availableBytes());
                assertEquals(0, stack.depth());
                assertFalse(stack.isClosed());
                assertSame(StackConfig.defaults(), stack.config());
                assertEquals("StackAllocator[capacity=8192, used=0, depth=0]", stack.toString());
            }
        }

        @Test
        void backingSegmentIsTheCapacityLongAndCacheLineAligned() {
            StackConfig config = StackConfig.defaults().withTrackStats(true);
            try (StackAllocator stack = StackAllocator.create(1000, config)) {
                assertSame(config, stack.config());
                assertEquals(1000, stack.segment().byteSize());
                assertEquals(0, stack.segment().address() % 64);
                assertTrue(stack.segment().isNative());
            }
        }

        @Test
        void capacityBelowOneByteIsInvalidSize() {
            for (long capacity : new long[] {0, -1, Long.MIN_VALUE}) {
                AllocationException e = assertThrows(AllocationException.class, () -> StackAllocator.create(capacity));
                assertEquals(ErrorCode.INVALID_SIZE, e.code());
                assertMessage(e, "Allocator: StackAllocator", "the capacity must be at least 1 byte, was " + capacity,
                        "64 * 1024");
            }
        }

        @Test
        void capacityTheSystemCannotReserveIsOutOfMemory() {
            AllocationException e = assertThrows(AllocationException.class,
                    () -> StackAllocator.create(Long.MAX_VALUE));
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            assertMessage(e, "could not reserve " + Long.MAX_VALUE + " bytes of native memory",
                    "Ask for a smaller capacity.");
        }

        @Test
        void theConfigChoosesTheImplementation() {
            try (StackAllocator confined = StackAllocator.create(64);
                 StackAllocator threadSafe = StackAllocator.create(64, StackConfig.defaults().withThreadSafe(true))) {
                assertInstanceOf(ConfinedStack.class, confined);
                assertInstanceOf(SharedStack.class, threadSafe);
                assertEquals("StackAllocator[capacity=64, used=0, depth=0, thread-safe]", threadSafe.toString());
            }
        }

        @Test
        void configMustNotBeNull() {
            assertThrows(NullPointerException.class, () -> StackAllocator.create(64, null));
        }
    }

    @Nested
    class AllocateOffset {

        @Test
        void pushesAlignedAllocationsAndCountsPaddingAsUsed() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                assertEquals(0, stack.allocateOffset(1, 1));
                assertEquals(8, stack.allocateOffset(8, 8));
                assertEquals(16, stack.allocateOffset(3, 2));
                assertEquals(32, stack.allocateOffset(0, 16));
                assertEquals(32, stack.usedBytes());
                assertEquals(224, stack.availableBytes());
                assertEquals(4, stack.depth());
            }
        }

        @Test
        void alignsTheAddressNotOnlyTheOffsetEvenBeyondTheBlockAlignment() {
            try (StackAllocator stack = StackAllocator.create(3 * 4096)) {
                stack.allocateOffset(1, 1);
                long offset = stack.allocateOffset(16, 4096);
                assertEquals(0, (stack.segment().address() + offset) % 4096);
                assertEquals(offset + 16, stack.usedBytes());
            }
        }

        @Test
        void zeroByteAllocationsArePushedLikeAnyOther() {
            try (StackAllocator stack = StackAllocator.create(64)) {
                stack.allocateOffset(64, 1);
                assertEquals(64, stack.allocateOffset(0, 1));
                assertEquals(64, stack.allocateOffset(0, 1));
                assertEquals(3, stack.depth());
                assertEquals(0, stack.availableBytes());
            }
        }

        @Test
        void bookkeepingGrowsPastItsInitialSize() {
            try (StackAllocator stack = StackAllocator.create(10_000)) {
                for (int i = 0; i < 5000; i++) {
                    assertEquals(2L * i, stack.allocateOffset(1, 2));
                }
                assertEquals(5000, stack.depth());
                for (int i = 4999; i >= 0; i--) {
                    stack.deallocateOffset(2L * i);
                    assertEquals(i == 0 ? 0 : 2L * i - 1, stack.usedBytes());
                }
                assertEquals(0, stack.depth());
            }
        }

        @Test
        void negativeSizeIsInvalidSize() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocateOffset(8, 8);
                assertFails(ErrorCode.INVALID_SIZE, stack, () -> stack.allocateOffset(-1, 8),
                        "Layout:    -1 bytes (alignment 8)", "Memory:    248 bytes available, 8 bytes used",
                        "the size is negative: -1 bytes");
            }
        }

        @Test
        void alignmentThatIsNotAPositivePowerOfTwoIsInvalidAlignment() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocateOffset(8, 8);
                for (long alignment : new long[] {0, 3, 12, -8, Long.MIN_VALUE}) {
                    assertFails(ErrorCode.INVALID_ALIGNMENT, stack, () -> stack.allocateOffset(8, alignment),
                            "the alignment " + alignment + " is not a positive power of two");
                }
                assertEquals(8, stack.allocateOffset(8, 8), "the failures left the top where it was");
            }
        }

        @Test
        void requestBeyondTheRemainingBytesIsOutOfMemoryWithTheNumbers() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocateOffset(200, 1);
                AllocationException e = assertFails(ErrorCode.OUT_OF_MEMORY, stack,
                        () -> stack.allocateOffset(100, 1),
                        "Allocator: StackAllocator[capacity=256, used=200, depth=1]",
                        "Layout:    100 bytes (alignment 1)",
                        "Memory:    56 bytes available, 200 bytes used",
                        "the request needs 100 bytes at offset 200 but only 56 bytes remain above the 1 live"
                                + " allocation",
                        "1. Increase the capacity to at least 300 bytes (StackAllocator.create(300))",
                        "2. Close scopes, restore checkpoints and deallocate temporaries",
                        "3. Allocate large or long-lived buffers from a BumpAllocator or PoolAllocator");
                assertEquals(3, e.suggestions().size());
                assertEquals(56, e.availableBytes());
                assertEquals(200, e.usedBytes());
                assertEquals(Optional.of(new AllocationException.Request(100, 1)), e.request());
                assertEquals(200, stack.allocateOffset(56, 1), "exactly the remaining bytes still fit");
            }
        }

        @Test
        void outOfMemoryCountsTheAlignmentPadding() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocateOffset(1, 1);
                stack.allocateOffset(1, 1);
                assertFails(ErrorCode.OUT_OF_MEMORY, stack, () -> stack.allocateOffset(250, 64),
                        "the request needs 250 bytes plus 62 bytes of alignment padding at offset 2 but only 254"
                                + " bytes remain above the 2 live allocations",
                        "at least 314 bytes (StackAllocator.create(314))");
            }
        }

        @Test
        void requestLargerThanTheWholeStackSaysSo() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                AllocationException e = assertFails(ErrorCode.OUT_OF_MEMORY, stack,
                        () -> stack.allocateOffset(1000, 8),
                        "1. The request is larger than the whole stack (256 bytes): create the stack with a"
                                + " capacity of at least 1000 bytes (StackAllocator.create(1000))");
                assertEquals(2, e.suggestions().size());
            }
        }
    }

    @Nested
    class Allocate {

        @Test
        void returnsASliceOfTheBackingSegmentAtTheAllocatedOffset() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(3, 1);
                MemorySegment segment = stack.allocate(16, 8);
                assertEquals(16, segment.byteSize());
                assertEquals(stack.segment().address() + 8, segment.address());
                assertTrue(stack.owns(segment));
                assertEquals(24, stack.usedBytes());
                assertEquals(2, stack.depth());
            }
        }

        @Test
        void segmentAllocatorHelpersWorkOnTheStack() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment ints = stack.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3);
                MemorySegment one = stack.allocate(ValueLayout.JAVA_LONG);
                assertArrayEquals(new int[] {1, 2, 3}, ints.toArray(ValueLayout.JAVA_INT));
                assertEquals(0, one.address() % 8);
                assertEquals(2, stack.depth());
                stack.deallocate(one, ValueLayout.JAVA_LONG);
                stack.deallocate(ints);
                assertEquals(0, stack.usedBytes());
            }
        }

        @Test
        void allocationWhoseInitializerThrowsIsPoppedAgain() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8);
                IllegalStateException thrown = assertThrows(IllegalStateException.class,
                        () -> stack.allocate(ValueLayout.JAVA_LONG, s -> {
                            throw new IllegalStateException("initializer failed");
                        }));
                assertEquals("initializer failed", thrown.getMessage());
                assertEquals(1, stack.depth());
                assertEquals(8, stack.usedBytes());
            }
        }

        @Test
        void failsWithTheSameCodesAsTheOffsetPath() {
            try (StackAllocator stack = StackAllocator.create(64)) {
                assertFails(ErrorCode.INVALID_SIZE, stack, () -> stack.allocate(-5, 1), "-5 bytes");
                assertFails(ErrorCode.INVALID_ALIGNMENT, stack, () -> stack.allocate(8, 6), "the alignment 6");
                assertFails(ErrorCode.OUT_OF_MEMORY, stack, () -> stack.allocate(65, 1), "only 64 bytes remain");
            }
        }
    }

    @Nested
    class Reset {

        @Test
        void popsEveryAllocationAtOnce() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(10, 1);
                stack.allocate(20, 16);
                stack.reset();
                assertEquals(0, stack.usedBytes());
                assertEquals(256, stack.availableBytes());
                assertEquals(0, stack.depth());
                assertEquals(0, stack.allocateOffset(8, 8));
            }
        }

        @Test
        void resetOfAnEmptyStackChangesNothing() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.reset();
                assertEquals(0, stack.usedBytes());
            }
        }
    }

    @Nested
    class Debugging {

        @Test
        void fillPatternIsWrittenOverEveryNewAllocation() {
            StackConfig config = StackConfig.defaults().withFillPattern((byte) 0xA5);
            try (StackAllocator stack = StackAllocator.create(256, config)) {
                MemorySegment first = stack.allocate(40, 8);
                first.fill((byte) 1);
                stack.deallocate(first);
                MemorySegment second = stack.allocate(24, 8);
                assertEquals(-1, second.mismatch(MemorySegment.ofArray(filled(24, (byte) 0xA5))));
                long offset = stack.allocateOffset(8, 1);
                assertEquals(-1, stack.segment().asSlice(offset, 8)
                        .mismatch(MemorySegment.ofArray(filled(8, (byte) 0xA5))));
                assertEquals(1, stack.segment().get(ValueLayout.JAVA_BYTE, 32), "bytes past the top are untouched");
            }
        }

        @Test
        void withoutZeroOnReleasePoppedBytesKeepTheirContents() {
            try (StackAllocator stack = StackAllocator.create(64)) {
                MemorySegment s = stack.allocate(8, 8);
                s.fill((byte) 7);
                stack.deallocate(s);
                assertEquals(7, stack.segment().get(ValueLayout.JAVA_BYTE, 0));
            }
        }

        @Test
        void zeroOnReleaseZeroesPoppedBytesPaddingIncluded() {
            StackConfig config = StackConfig.defaults().withZeroOnRelease(true);
            try (StackAllocator stack = StackAllocator.create(256, config)) {
                stack.segment().fill((byte) 9);
                stack.allocate(1, 1);
                MemorySegment top = stack.allocate(8, 16);
                stack.deallocate(top);
                assertEquals(9, stack.segment().get(ValueLayout.JAVA_BYTE, 0), "the live allocation is kept");
                assertEquals(-1, stack.segment().asSlice(1, 23).mismatch(MemorySegment.ofArray(new byte[23])));
                assertEquals(9, stack.segment().get(ValueLayout.JAVA_BYTE, 24), "bytes never used are untouched");
            }
        }

        @Test
        void zeroOnReleaseZeroesWhatResetAndCheckpointRestorePop() {
            StackConfig config = StackConfig.defaults().withZeroOnRelease(true);
            try (StackAllocator stack = StackAllocator.create(256, config)) {
                stack.segment().fill((byte) 9);
                stack.allocate(4, 1);
                Checkpoint checkpoint = stack.checkpoint();
                stack.allocate(60, 1);
                stack.restore(checkpoint);
                assertEquals(9, stack.segment().get(ValueLayout.JAVA_BYTE, 3));
                assertEquals(-1, stack.segment().asSlice(4, 60).mismatch(MemorySegment.ofArray(new byte[60])));
                stack.reset();
                assertEquals(-1, stack.segment().asSlice(0, 64).mismatch(MemorySegment.ofArray(new byte[64])));
                assertEquals(9, stack.segment().get(ValueLayout.JAVA_BYTE, 64));
            }
        }

        private static byte[] filled(int length, byte value) {
            byte[] bytes = new byte[length];
            Arrays.fill(bytes, value);
            return bytes;
        }
    }

    @Nested
    class Statistics {

        @Test
        void emptyUnlessTracked() {
            try (StackAllocator stack = StackAllocator.create(64)) {
                stack.allocate(8);
                assertEquals(Optional.empty(), stack.statistics());
            }
        }

        @Test
        void countPushesPopsBulkReleasesAndFailures() {
            StackConfig config = StackConfig.defaults().withTrackStats(true);
            try (StackAllocator stack = StackAllocator.create(256, config)) {
                MemorySegment a = stack.allocate(3, 1);
                MemorySegment b = stack.allocate(8, 8);
                stack.deallocate(b);
                Checkpoint checkpoint = stack.checkpoint();
                stack.allocate(16, 16);
                stack.allocate(100, 1);
                assertThrows(AllocationException.class, () -> stack.allocate(1000, 1));
                assertThrows(AllocationException.class, () -> stack.allocate(-1, 1));
                assertThrows(AllocationException.class, () -> stack.deallocate(a));
                // Padding counts on both sides: b took 5 + 8 bytes, the 16-byte one 13 + 16.
                assertEquals(new AllocationStatistics(4, 1, 145, 13, 132, 132, 2, 0, 0, 0), stats(stack));
                stack.restore(checkpoint);
                assertEquals(new AllocationStatistics(4, 1, 145, 142, 3, 132, 2, 1, 0, 0), stats(stack));
                stack.reset();
                assertEquals(new AllocationStatistics(4, 1, 145, 145, 0, 132, 2, 2, 0, 0), stats(stack));
                assertTrue(stats(stack).toJson().startsWith("{\"allocations\":4,"));
            }
        }

        private static AllocationStatistics stats(StackAllocator stack) {
            return stack.statistics().orElseThrow();
        }
    }

    @Nested
    class OwnershipAndLifecycle {

        @Test
        @SuppressWarnings("try") // closes the allocator inside its own try block on purpose
        void ownsExactlyTheSegmentsInsideItsBlock() {
            try (StackAllocator stack = StackAllocator.create(256); Arena arena = Arena.ofConfined()) {
                MemorySegment mine = stack.allocate(16);
                assertTrue(stack.owns(mine));
                assertTrue(stack.owns(stack.segment()));
                assertTrue(stack.owns(stack.segment().asSlice(256)));
                assertFalse(stack.owns(arena.allocate(16)));
                assertFalse(stack.owns(MemorySegment.ofArray(new byte[16])));
                stack.close();
                assertFalse(stack.owns(mine), "a closed stack owns nothing");
            }
        }

        @Test
        void toStringShowsCapacityUsedDepthAndClosed() {
            StackAllocator stack = StackAllocator.create(8192);
            stack.allocate(500, 1);
            stack.allocate(4, 8);
            stack.allocate(8, 8);
            assertEquals("StackAllocator[capacity=8192, used=520, depth=3]", stack.toString());
            stack.close();
            assertEquals("StackAllocator[capacity=8192, used=520, depth=3, closed]", stack.toString());
        }

        @Test
        void closeIsIdempotentAndKeepsReportingWhatWasLive() {
            StackAllocator stack = StackAllocator.create(256);
            stack.allocate(40);
            stack.close();
            stack.close();
            assertTrue(stack.isClosed());
            assertEquals(1, stack.depth());
            assertEquals(40, stack.usedBytes());
            assertEquals(256, stack.capacityBytes());
        }

        @ParameterizedTest(name = "thread-safe: {0}")
        @ValueSource(booleans = {false, true})
        void everyMutatingCallOnAClosedStackIsClosed(boolean threadSafe) {
            StackAllocator stack = StackAllocator.create(256, StackConfig.defaults().withThreadSafe(threadSafe));
            MemorySegment segment = stack.allocate(8);
            Checkpoint checkpoint = stack.checkpoint();
            Scope scope = stack.scope();
            stack.close();
            List<Executable> calls = List.of(
                    () -> stack.allocate(8, 8), () -> stack.allocateOffset(8, 8), () -> stack.deallocate(segment),
                    () -> stack.deallocateOffset(0), stack::checkpoint, stack::scope, () -> stack.restore(checkpoint),
                    scope::close, stack::reset);
            for (Executable call : calls) {
                assertFails(ErrorCode.CLOSED, stack, call,
                        "Allocator: StackAllocator[capacity=256, used=8, depth=1"
                                + (threadSafe ? ", thread-safe" : "") + ", closed]",
                        "the allocator was closed and its native memory freed",
                        "1. Do not use an allocator after close()");
            }
            assertFalse(scope.isClosed(), "a failed scope close leaves the scope open");
        }
    }
}
