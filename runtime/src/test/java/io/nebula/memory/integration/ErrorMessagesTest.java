package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.stack.StackAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Messages say what happened and suggest what helps, not what the arithmetic of another case would say. */
class ErrorMessagesTest {

    private static AllocationException expect(ErrorCode code, Executable call) {
        AllocationException e = assertThrows(AllocationException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    @Test
    void anOverAlignedRequestBlamesTheAlignmentNotTheCapacity() {
        try (BumpAllocator arena = BumpAllocator.create(4096)) {
            AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> arena.allocate(8, 1L << 40));
            assertTrue(e.details().contains("the 8 bytes would fit in the 4096 bytes left, but the next address"
                    + " aligned to 1099511627776 bytes lies"), e.getMessage());
            assertTrue(e.suggestions().getFirst().startsWith("Ask for an alignment of at most 64 bytes"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("Increase the capacity"), e.getMessage());
        }
    }

    @Test
    void aPoolAlignmentThatCannotFitIsAnInvalidAlignment() {
        AllocationException e = expect(ErrorCode.INVALID_ALIGNMENT, () -> PoolAllocator.create(64, 1L << 40, 16));
        assertTrue(e.details().contains("the block alignment 1099511627776 puts block starts 1099511627776 bytes"
                + " apart"), e.getMessage());
        assertTrue(e.suggestions().getFirst().startsWith("Use an alignment of at most 34359738368 bytes"),
                e.getMessage());
        AllocationException large = expect(ErrorCode.INVALID_SIZE, () -> PoolAllocator.create(1L << 40, 8, 1));
        assertTrue(large.getMessage().contains("Blocks this large belong in their own arena"), large.getMessage());
    }

    @Test
    void aCapacityNoSystemCanReserveSaysSo() {
        AllocationException e = expect(ErrorCode.OUT_OF_MEMORY, () -> BumpAllocator.create(Long.MAX_VALUE));
        assertTrue(e.details().contains("could not reserve 9223372036854775807 bytes of native memory"),
                e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
        assertTrue(e.getCause() instanceof OutOfMemoryError, String.valueOf(e.getCause()));
    }

    @Test
    void aCheckpointOfAnotherArenaSuggestsTheOtherArena() {
        try (BumpAllocator one = BumpAllocator.create(64); BumpAllocator other = BumpAllocator.create(64)) {
            Checkpoint theirs = other.checkpoint();
            AllocationException e = expect(ErrorCode.INVALID_CHECKPOINT, () -> one.restore(theirs));
            assertTrue(e.details().contains("it was taken on another allocator"), e.getMessage());
            assertEquals(1, e.suggestions().size(), e.getMessage());
            assertTrue(e.suggestions().getFirst().startsWith("Restore a checkpoint on the arena whose checkpoint()"),
                    e.getMessage());
            Checkpoint mine = one.checkpoint();
            one.restore(mine);
            AllocationException stale = expect(ErrorCode.INVALID_CHECKPOINT, () -> one.restore(mine));
            assertTrue(stale.suggestions().getFirst().startsWith("Restore checkpoints in reverse order"),
                    stale.getMessage());
        }
    }

    @Test
    void aDoublePopOnAnUncheckedStackIsADoubleFree() {
        try (StackAllocator stack = StackAllocator.create(256)) {
            MemorySegment below = stack.allocate(16);
            MemorySegment top = stack.allocate(16);
            stack.deallocate(top);
            AllocationException e = expect(ErrorCode.DOUBLE_FREE, () -> stack.deallocate(top));
            assertTrue(e.details().contains("is at or above the top (16 bytes used): it was popped already"),
                    e.getMessage());
            long offset = stack.allocateOffset(8, 8);
            stack.deallocateOffset(offset);
            expect(ErrorCode.DOUBLE_FREE, () -> stack.deallocateOffset(offset));
            stack.deallocate(below);
        }
    }
}
