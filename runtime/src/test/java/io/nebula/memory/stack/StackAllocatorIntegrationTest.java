package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakWarnings;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
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

@ExtendWith(LeakWarnings.class)
class StackAllocatorIntegrationTest {

    private static final int RECURSION_DEPTH = 1000;

    @Test
    void recursionWithAScopePerLevelReturnsToAnEmptyStack() {
        try (StackAllocator stack = StackAllocator.create(64 * 1024)) {
            assertEquals(RECURSION_DEPTH * (RECURSION_DEPTH + 1L) / 2, descend(stack, 1));
            assertEquals(0, stack.usedBytes());
            assertEquals(0, stack.depth());
            assertEquals(64 * 1024, stack.availableBytes());
        }
    }

    /** Sums 1..RECURSION_DEPTH, keeping each level's partial data in its own scope. */
    private static long descend(StackAllocator stack, int level) {
        long usedOnEntry = stack.usedBytes();
        int depthOnEntry = stack.depth();
        long sum;
        try (Scope scope = stack.scope()) {
            MemorySegment node = stack.allocate(ValueLayout.JAVA_LONG, 2);
            node.setAtIndex(ValueLayout.JAVA_LONG, 0, level);
            stack.allocate(level % 7, 1 << (level % 4));
            long below = level < RECURSION_DEPTH ? descend(stack, level + 1) : 0;
            assertEquals(depthOnEntry + 2, stack.depth(), "the deeper levels popped exactly their own allocations");
            assertEquals(level, node.getAtIndex(ValueLayout.JAVA_LONG, 0), "deeper levels left this level's data");
            sum = level + below;
            assertFalse(scope.isClosed(), "the deeper levels closed only their own scopes");
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
        try (Scope _ = stack.scope()) {
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
    void closedStackFailsWithClosedAndScopesOpenedBeforeCannotClose() {
        StackAllocator stack = StackAllocator.create(4096);
        Scope scope = stack.scope();
        stack.allocate(8);
        stack.close();
        AllocationException e = assertThrows(AllocationException.class, scope::close);
        assertEquals(ErrorCode.CLOSED, e.code());
        assertThrows(AllocationException.class, () -> stack.allocate(8));
        stack.close();
        assertTrue(stack.isClosed());
    }

    @Test
    void anotherThreadGetsWrongThreadAndLeavesTheStackUnchanged() throws InterruptedException {
        try (StackAllocator stack = StackAllocator.create(4096)) {
            MemorySegment segment = stack.allocate(16, 8);
            Checkpoint checkpoint = stack.checkpoint();
            Scope scope = stack.scope();
            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("allocate", () -> stack.allocate(8, 8));
            calls.put("allocateOffset", () -> stack.allocateOffset(8, 8));
            calls.put("deallocate", () -> stack.deallocate(segment));
            calls.put("deallocateOffset", () -> stack.deallocateOffset(0));
            calls.put("checkpoint", stack::checkpoint);
            calls.put("scope", stack::scope);
            calls.put("restore", () -> stack.restore(checkpoint));
            calls.put("scope close", scope::close);
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
            assertFalse(scope.isClosed());
            scope.close();
            stack.deallocate(segment);
            assertEquals(0, stack.usedBytes());
        }
    }
}
