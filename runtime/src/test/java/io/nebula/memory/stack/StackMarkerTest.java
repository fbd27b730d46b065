package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static io.nebula.memory.stack.StackAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackMarkerTest {

    @Nested
    class Markers {

        @Test
        void markerSavesTheDepthAndTheTop() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(10, 1);
                stack.allocate(6, 8);
                StackMarker marker = stack.marker();
                assertEquals(2, marker.depth());
                assertEquals(22, marker.offset());
                assertEquals("StackMarker[depth=2, offset=22]", marker.toString());
            }
        }

        @Test
        void releasePopsEverythingAboveTheMarkerAndKeepsTheMarkerValid() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment below = stack.allocate(10, 1);
                StackMarker marker = stack.marker();
                stack.allocate(6, 8);
                stack.allocate(30, 2);
                stack.release(marker);
                assertEquals(10, stack.usedBytes());
                assertEquals(1, stack.depth());
                stack.allocate(50, 1);
                stack.release(marker);
                assertEquals(10, stack.usedBytes());
                stack.release(marker);
                assertEquals(1, stack.depth());
                stack.deallocate(below);
            }
        }

        @Test
        void releasingAnOuterMarkerDiscardsTheInnerOnes() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                StackMarker outer = stack.marker();
                stack.allocate(8, 8);
                StackMarker inner = stack.marker();
                stack.allocate(8, 8);
                stack.release(outer);
                AllocationException e = assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.release(inner),
                        "Allocator: StackAllocator[capacity=256, used=8, depth=1]",
                        "StackMarker[depth=2, offset=16] cannot be released: the marker was taken at depth 2 but"
                                + " only 1 allocation is live now",
                        "which discarded it",
                        "1. Release markers in reverse order of creation (close nested frames before outer ones)",
                        "2. Take a new marker after the allocations below the old one were popped");
                assertEquals(2, e.suggestions().size());
            }
        }

        @Test
        void markerStaysDiscardedWhenTheStackGrowsBackPastItsDepth() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                StackMarker marker = stack.marker();
                stack.deallocateOffset(0);
                stack.allocate(8, 8);
                stack.allocate(8, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.release(marker),
                        "StackMarker[depth=1, offset=8] cannot be released: the allocation at index 0 just below"
                                + " the marker was popped since",
                        "index 0 now holds a newer allocation, so the marker was discarded");
            }
        }

        @Test
        void popsAboveTheMarkerDoNotDiscardIt() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                StackMarker marker = stack.marker();
                long above = stack.allocateOffset(8, 8);
                stack.deallocateOffset(above);
                stack.allocate(24, 8);
                stack.release(marker);
                assertEquals(8, stack.usedBytes());
            }
        }

        @Test
        void resetDiscardsMarkersOfANonEmptyStack() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                StackMarker marker = stack.marker();
                stack.reset();
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.release(marker),
                        "the marker was taken at depth 1 but only 0 allocations are live now");
                stack.allocate(8, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.release(marker),
                        "the allocation at index 0 just below the marker was popped since");
            }
        }

        @Test
        void markerOfTheEmptyStackAlwaysEmptiesIt() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                StackMarker empty = stack.marker();
                stack.allocate(8, 8);
                stack.reset();
                stack.allocate(8, 8);
                stack.allocate(8, 8);
                stack.release(empty);
                assertEquals(0, stack.usedBytes());
                assertEquals(0, stack.depth());
            }
        }

        @Test
        void markerOfAnotherStackIsInvalid() {
            try (StackAllocator stack = StackAllocator.create(256); StackAllocator other = StackAllocator.create(64)) {
                StackMarker foreign = other.marker();
                stack.allocate(8, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.release(foreign),
                        "StackMarker[depth=0, offset=0] cannot be released: the marker was taken on another stack,"
                                + " StackAllocator[capacity=64, used=0, depth=0]");
            }
        }

        @Test
        void nullMarkerIsRejected() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                assertThrows(NullPointerException.class, () -> stack.release(null));
            }
        }
    }

    @Nested
    class Frames {

        @Test
        void closingAFramePopsWhatWasAllocatedInside() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(4, 1);
                try (StackFrame frame = stack.frame()) {
                    assertEquals(1, frame.marker().depth());
                    assertEquals(4, frame.marker().offset());
                    stack.allocate(64, 64);
                    stack.allocate(8, 8);
                    assertEquals(3, stack.depth());
                }
                assertEquals(4, stack.usedBytes());
                assertEquals(1, stack.depth());
            }
        }

        @Test
        void framesNest() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                try (StackFrame outer = stack.frame()) {
                    stack.allocate(16, 8);
                    try (StackFrame inner = stack.frame()) {
                        stack.allocate(32, 8);
                        assertEquals(16, inner.marker().offset());
                    }
                    assertEquals(16, stack.usedBytes());
                    assertFalse(outer.isClosed());
                }
                assertEquals(0, stack.usedBytes());
            }
        }

        @Test
        void closingTwiceIsANoOp() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                StackFrame frame = stack.frame();
                stack.allocate(8, 8);
                frame.close();
                assertTrue(frame.isClosed());
                stack.allocate(24, 8);
                frame.close();
                assertEquals(24, stack.usedBytes(), "the second close released nothing");
            }
        }

        @Test
        void closingAnInnerFrameAfterItsOuterFrameFailsAndLeavesItOpen() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                StackFrame outer = stack.frame();
                stack.allocate(8, 8);
                StackFrame inner = stack.frame();
                stack.allocate(8, 8);
                outer.close();
                stack.allocate(16, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, inner::close,
                        "StackMarker[depth=1, offset=8] cannot be released",
                        "the allocation at index 0 just below the marker was popped since");
                assertFalse(inner.isClosed());
                assertEquals("StackFrame[StackMarker[depth=1, offset=8]]", inner.toString());
                assertEquals("StackFrame[StackMarker[depth=0, offset=0], closed]", outer.toString());
            }
        }
    }
}
