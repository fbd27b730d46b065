package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakWarnings;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.nebula.memory.stack.StackAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Giving allocations back: by segment and by offset, the top only, and every way of getting that wrong. */
@ExtendWith(LeakWarnings.class)
class StackDeallocateTest {

    @Nested
    class Deallocate {

        @Test
        void popsTheTopAndRestoresTheTopFromBeforeItsPadding() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment a = stack.allocate(1, 1);
                MemorySegment b = stack.allocate(8, 8);
                assertEquals(16, stack.usedBytes());
                stack.deallocate(b);
                assertEquals(1, stack.usedBytes());
                assertEquals(1, stack.depth());
                stack.deallocate(a);
                assertEquals(0, stack.usedBytes());
                assertEquals(0, stack.depth());
            }
        }

        @Test
        void anythingButTheTopIsOutOfOrderNamingTheExpectedAndTheGivenAllocation() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment a = stack.allocate(16, 8);
                MemorySegment b = stack.allocate(32, 8);
                MemorySegment c = stack.allocate(8, 8);
                AllocationException e = assertFails(ErrorCode.OUT_OF_ORDER, stack, () -> stack.deallocate(a),
                        "Layout:    16 bytes",
                        "expected the top allocation, index 2 (offset 48, 8 bytes), but was given the allocation"
                                + " at index 0 (offset 0, 16 bytes), which has 2 live allocations above it",
                        "1. Deallocate in reverse order of allocation: give back index 2 (offset 48) first.",
                        "2. To pop several allocations at once, take a checkpoint (or open a scope) before them and"
                                + " restore it.");
                assertEquals(2, e.suggestions().size());
                assertFails(ErrorCode.OUT_OF_ORDER, stack, () -> stack.deallocate(b),
                        "given the allocation at index 1 (offset 16, 32 bytes), which has 1 live allocation above");
                stack.deallocate(c);
                stack.deallocate(b);
                stack.deallocate(a);
                assertEquals(0, stack.depth());
            }
        }

        @Test
        void zeroByteAllocationSharingItsStartWithTheTopIsStillOutOfOrder() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment empty = stack.allocate(0, 8);
                MemorySegment full = stack.allocate(16, 8);
                assertEquals(empty.address(), full.address());
                assertFails(ErrorCode.OUT_OF_ORDER, stack, () -> stack.deallocate(empty),
                        "expected the top allocation, index 1 (offset 0, 16 bytes), but was given the allocation"
                                + " at index 0 (offset 0, 0 bytes)");
                stack.deallocate(full);
                stack.deallocate(empty);
            }
        }

        @Test
        void segmentOutsideTheBlockIsForeign() {
            try (StackAllocator stack = StackAllocator.create(256); Arena arena = Arena.ofConfined()) {
                stack.allocate(8, 8);
                MemorySegment elsewhere = arena.allocate(8, 8);
                assertFails(ErrorCode.FOREIGN_SEGMENT, stack, () -> stack.deallocate(elsewhere),
                        "the segment (8 bytes at address 0x" + Long.toHexString(elsewhere.address())
                                + ") is not inside this stack's block [0x"
                                + Long.toHexString(stack.segment().address()) + ", 0x"
                                + Long.toHexString(stack.segment().address() + 256) + ")",
                        "expected the top allocation, index 0 (offset 0, 8 bytes)",
                        "1. Give back each allocation exactly as this stack returned it");
            }
        }

        @Test
        void heapSegmentIsForeign() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                MemorySegment heap = MemorySegment.ofArray(new byte[8]);
                assertFails(ErrorCode.FOREIGN_SEGMENT, stack, () -> stack.deallocate(heap),
                        "8 bytes at address 0x0, on the heap) is not inside this stack's block");
            }
        }

        @Test
        void sliceOfTheTopIsForeignBecauseItIsNotTheAllocation() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                MemorySegment top = stack.allocate(32, 8);
                assertFails(ErrorCode.FOREIGN_SEGMENT, stack, () -> stack.deallocate(top.asSlice(0, 16)),
                        "at offset 8 of this stack's block, does not start a live allocation",
                        "expected the top allocation, index 1 (offset 8, 32 bytes)");
                assertFails(ErrorCode.FOREIGN_SEGMENT, stack, () -> stack.deallocate(top.asSlice(8)),
                        "at offset 16 of this stack's block, does not start a live allocation");
            }
        }

        @Test
        void segmentAlreadyPoppedIsADoubleFreeAndSaysItWasPopped() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment a = stack.allocate(8, 8);
                MemorySegment b = stack.allocate(8, 8);
                stack.deallocate(b);
                assertFails(ErrorCode.DOUBLE_FREE, stack, () -> stack.deallocate(b),
                        "at offset 8 of this stack's block, is at or above the top (8 bytes used): it was popped"
                                + " already",
                        "expected the top allocation, index 0 (offset 0, 8 bytes)",
                        "1. Give back each allocation once");
                stack.deallocate(a);
                assertFails(ErrorCode.DOUBLE_FREE, stack, () -> stack.deallocate(a),
                        "the stack is empty, so nothing can be deallocated");
            }
        }

        @Test
        void typedDeallocateChecksTheLayoutFirst() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment value = stack.allocate(ValueLayout.JAVA_LONG);
                assertFails(ErrorCode.LAYOUT_MISMATCH, stack, () -> stack.deallocate(value, ValueLayout.JAVA_INT),
                        "does not have the size and alignment of i4");
                stack.deallocate(value, ValueLayout.JAVA_LONG);
                assertEquals(0, stack.depth());
            }
        }

        @Test
        void nullSegmentIsRejected() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                assertThrows(NullPointerException.class, () -> stack.deallocate(null));
            }
        }
    }

    @Nested
    class DeallocateOffset {

        @Test
        void popsTheTopAllocationStartingAtTheOffset() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                long a = stack.allocateOffset(4, 4);
                long b = stack.allocateOffset(4, 16);
                stack.deallocateOffset(b);
                assertEquals(4, stack.usedBytes());
                stack.deallocateOffset(a);
                assertEquals(0, stack.usedBytes());
            }
        }

        @Test
        void offsetOfADeeperAllocationIsOutOfOrder() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                long a = stack.allocateOffset(24, 8);
                stack.allocateOffset(8, 8);
                assertFails(ErrorCode.OUT_OF_ORDER, stack, () -> stack.deallocateOffset(a),
                        "Layout:    24 bytes",
                        "expected the top allocation, index 1 (offset 24, 8 bytes), but was given the allocation"
                                + " at index 0 (offset 0, 24 bytes), which has 1 live allocation above it");
            }
        }

        @Test
        void offsetOutsideTheBlockIsForeign() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocateOffset(8, 8);
                for (long offset : new long[] {-1, 257, Long.MAX_VALUE}) {
                    assertFails(ErrorCode.FOREIGN_SEGMENT, stack, () -> stack.deallocateOffset(offset),
                            "the offset " + offset + " is not inside this stack's block of 256 bytes",
                            "expected the top allocation, index 0 (offset 0, 8 bytes)");
                }
            }
        }

        @Test
        void offsetThatStartsNoLiveAllocationIsForeignOrPopped() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocateOffset(16, 8);
                assertFails(ErrorCode.FOREIGN_SEGMENT, stack, () -> stack.deallocateOffset(4),
                        "the offset 4 does not start a live allocation");
                assertFails(ErrorCode.DOUBLE_FREE, stack, () -> stack.deallocateOffset(16),
                        "the offset 16 is at or above the top (16 bytes used)");
                stack.deallocateOffset(0);
                assertFails(ErrorCode.DOUBLE_FREE, stack, () -> stack.deallocateOffset(0),
                        "the stack is empty");
            }
        }
    }
}
