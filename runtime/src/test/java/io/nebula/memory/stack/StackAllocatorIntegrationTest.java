package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.nebula.memory.stack.StackAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackAllocatorIntegrationTest {

    private static final int RECURSION_DEPTH = 1000;

    @Test
    void recursionWithAFramePerLevelReturnsToAnEmptyStack() {
        try (StackAllocator stack = StackAllocator.create(64 * 1024)) {
            assertEquals(RECURSION_DEPTH * (RECURSION_DEPTH + 1L) / 2, descend(stack, 1));
            assertEquals(0, stack.usedBytes());
            assertEquals(0, stack.depth());
            assertEquals(64 * 1024, stack.availableBytes());
        }
    }

    /** Sums 1..RECURSION_DEPTH, keeping each level's partial data in its own frame. */
    private static long descend(StackAllocator stack, int level) {
        long usedOnEntry = stack.usedBytes();
        int depthOnEntry = stack.depth();
        long sum;
        try (StackFrame frame = stack.frame()) {
            MemorySegment node = stack.allocate(ValueLayout.JAVA_LONG, 2);
            node.setAtIndex(ValueLayout.JAVA_LONG, 0, level);
            stack.allocate(level % 7, 1 << (level % 4));
            long below = level < RECURSION_DEPTH ? descend(stack, level + 1) : 0;
            assertEquals(depthOnEntry + 2, stack.depth(), "the deeper levels popped exactly their own allocations");
            assertEquals(level, node.getAtIndex(ValueLayout.JAVA_LONG, 0), "deeper levels left this level's data");
            sum = level + below;
            assertEquals(usedOnEntry, frame.marker().offset());
        }
        assertEquals(usedOnEntry, stack.usedBytes());
        assertEquals(depthOnEntry, stack.depth());
        return sum;
    }

    @Test
    void afterCloseEverySegmentHandedOutIsInaccessible() {
        StackAllocator stack = StackAllocator.create(4096);
        List<MemorySegment> handedOut = new ArrayList<>();
        handedOut.add(stack.allocate(16, 8));
        handedOut.add(stack.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3));
        try (StackFrame _ = stack.frame()) {
            handedOut.add(stack.allocate(ValueLayout.JAVA_LONG));
        }
        handedOut.add(stack.segment().asSlice(stack.allocateOffset(64, 64), 64));
        handedOut.add(stack.segment());
        for (MemorySegment segment : handedOut) {
            segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        }
        stack.close();
        for (MemorySegment segment : handedOut) {
            assertFalse(segment.scope().isAlive());
            assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void closedStackFailsWithClosedAndFramesOpenedBeforeCannotRelease() {
        StackAllocator stack = StackAllocator.create(4096);
        StackFrame frame = stack.frame();
        stack.allocate(8);
        stack.close();
        AllocationException e = assertThrows(AllocationException.class, frame::close);
        assertEquals(ErrorCode.CLOSED, e.code());
        assertThrows(AllocationException.class, () -> stack.allocate(8));
        stack.close();
        assertTrue(stack.isClosed());
    }

    @Test
    void anotherThreadGetsWrongThreadAndLeavesTheStackUnchanged() throws InterruptedException {
        try (StackAllocator stack = StackAllocator.create(4096)) {
            MemorySegment segment = stack.allocate(16, 8);
            StackMarker marker = stack.marker();
            StackFrame frame = stack.frame();
            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("allocate", () -> stack.allocate(8, 8));
            calls.put("allocateOffset", () -> stack.allocateOffset(8, 8));
            calls.put("deallocate", () -> stack.deallocate(segment));
            calls.put("deallocateOffset", () -> stack.deallocateOffset(0));
            calls.put("marker", stack::marker);
            calls.put("frame", stack::frame);
            calls.put("release", () -> stack.release(marker));
            calls.put("frame close", frame::close);
            calls.put("reset", stack::reset);
            calls.put("close", stack::close);

            Map<String, Throwable> thrown = new LinkedHashMap<>();
            Throwable[] segmentAccess = new Throwable[1];
            Thread other = new Thread(() -> {
                for (Map.Entry<String, Executable> call : calls.entrySet()) {
                    try {
                        call.getValue().execute();
                        thrown.put(call.getKey(), null);
                    } catch (Throwable t) {
                        thrown.put(call.getKey(), t);
                    }
                }
                try {
                    segment.get(ValueLayout.JAVA_BYTE, 0);
                } catch (Throwable t) {
                    segmentAccess[0] = t;
                }
            }, "intruder");
            other.start();
            other.join();

            assertEquals(calls.keySet(), thrown.keySet());
            for (Map.Entry<String, Throwable> result : thrown.entrySet()) {
                AllocationException e = assertInstanceOf(AllocationException.class, result.getValue(),
                        result.getKey());
                assertEquals(ErrorCode.WRONG_THREAD, e.code(), result.getKey());
                assertMessage(e, "is confined to thread \"" + Thread.currentThread().getName() + "\"",
                        "but was used from thread \"intruder\"");
            }
            assertInstanceOf(WrongThreadException.class, segmentAccess[0]);
            assertEquals(16, stack.usedBytes());
            assertEquals(1, stack.depth());
            assertFalse(stack.isClosed());
            assertFalse(frame.isClosed());
            frame.close();
            stack.deallocate(segment);
            assertEquals(0, stack.usedBytes());
        }
    }
}
