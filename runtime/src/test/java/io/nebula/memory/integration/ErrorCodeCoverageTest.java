package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@link ErrorCode} is produced here at least once, with its message checked: the title and code on the first
 * line, the details that name the numbers involved, and at least one suggestion. The test fails when a code is added
 * without a case.
 */
class ErrorCodeCoverageTest {

    private final Map<ErrorCode, String> seen = new EnumMap<>(ErrorCode.class);

    @Test
    void everyErrorCodeIsProducedWithAnActionableMessage() throws Exception {
        try (BumpAllocator arena = BumpAllocator.create(64)) {
            expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(100), "the request needs 100 bytes");
            expect(ErrorCode.INVALID_SIZE, () -> arena.allocate(-1, 8), "the size is negative: -1 bytes");
            expect(ErrorCode.INVALID_ALIGNMENT, () -> arena.allocate(8, 3), "the alignment 3 is not a positive");
            expect(ErrorCode.FOREIGN_SEGMENT, () -> arena.deallocate(MemorySegment.ofArray(new byte[8])),
                    "on the heap) is not inside");
            try (BumpAllocator other = BumpAllocator.create(64)) {
                expect(ErrorCode.INVALID_CHECKPOINT, () -> arena.restore(other.checkpoint()),
                        "it was taken on another allocator");
            }
            MemorySegment eight = arena.allocate(8, 8);
            expect(ErrorCode.LAYOUT_MISMATCH, () -> arena.deallocate(eight, ValueLayout.JAVA_INT),
                    "does not have the size and alignment of");
            ExecutionException wrongThread = assertThrows(ExecutionException.class,
                    () -> CompletableFuture.runAsync(() -> arena.allocate(8)).get());
            record(ErrorCode.WRONG_THREAD, (AllocationException) wrongThread.getCause(),
                    "the allocator is confined to thread");
        }
        BumpAllocator closed = BumpAllocator.create(64);
        closed.close();
        expect(ErrorCode.CLOSED, () -> closed.allocate(8), "the allocator was closed and its native memory freed");
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 4, PoolConfig.defaults().withChecked(true))) {
            long handle = pool.allocateHandle();
            pool.deallocateHandle(handle);
            expect(ErrorCode.DOUBLE_FREE, () -> pool.deallocateHandle(handle), "which is already free");
            MemorySegment block = pool.allocate();
            pool.deallocate(block);
            expect(ErrorCode.USE_AFTER_FREE, () -> pool.deallocate(block), "was already given back to this pool");
        }
        try (StackAllocator stack = StackAllocator.create(256)) {
            MemorySegment below = stack.allocate(8, 8);
            stack.allocate(8, 8);
            expect(ErrorCode.OUT_OF_ORDER, () -> stack.deallocate(below), "expected the top allocation, index 1");
            stack.reset();
        }
        BumpAllocator leaking = BumpAllocator.create(64, BumpConfig.defaults().withLeakPolicy(LeakPolicy.FAIL));
        leaking.scope();
        expect(ErrorCode.LEAK, leaking::close, "closed with 1 open scope(s)");

        assertEquals(EnumSet.allOf(ErrorCode.class), seen.keySet(), "a case for every code");
    }

    private void expect(ErrorCode code, Executable call, String detail) {
        record(code, assertThrows(AllocationException.class, call), detail);
    }

    private void record(ErrorCode code, AllocationException e, String detail) {
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Memory allocation error: " + code.title() + " [" + code.name() + "]"),
                e.getMessage());
        assertTrue(e.details().contains(detail), e.getMessage());
        assertFalse(e.suggestions().isEmpty());
        assertTrue(e.getMessage().contains("Suggestions:\n   1. " + e.suggestions().getFirst()), e.getMessage());
        seen.put(code, e.getMessage());
    }
}
