package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions shared by the stack allocator's tests. */
final class StackAssertions {

    private StackAssertions() {
    }

    /**
     * Everything observable about a stack except the count of failed allocations, which a failure is meant to
     * change.
     */
    record State(long used, long available, int depth, boolean closed, String description,
                 AllocationStatistics statistics) {

        static State of(StackAllocator stack) {
            AllocationStatistics stats = stack.statistics()
                    .map(s -> new AllocationStatistics(s.allocations(), s.deallocations(), s.bytesAllocated(),
                            s.bytesFreed(), s.currentBytes(), s.peakBytes(), 0, s.resets(), s.growths(),
                            s.wastedBytes()))
                    .orElse(null);
            return new State(stack.usedBytes(), stack.availableBytes(), stack.depth(), stack.isClosed(),
                    stack.toString(), stats);
        }
    }

    /**
     * Runs {@code call}, expects an {@link AllocationException} with {@code code}, checks that the stack is
     * exactly as before and that the message contains every fragment.
     */
    static AllocationException assertFails(ErrorCode code, StackAllocator stack, Executable call,
                                           String... fragments) {
        State before = State.of(stack);
        AllocationException e = assertThrows(AllocationException.class, call);
        assertEquals(code, e.code(), e::getMessage);
        assertEquals(before, State.of(stack), "a failed call must leave the stack unchanged");
        assertMessage(e, fragments);
        return e;
    }

    static void assertMessage(AllocationException e, String... fragments) {
        String message = e.getMessage();
        assertTrue(message.startsWith("Memory allocation error: " + e.code().title() + " [" + e.code().name() + "]"),
                message);
        assertTrue(message.contains("\nSuggestions:\n   1. "), message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "expected \"" + fragment + "\" in:\n" + message);
        }
    }
}
