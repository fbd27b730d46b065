package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Reserving an allocator's backing memory from its arena. */
public final class NativeMemory {

    private NativeMemory() {
    }

    /**
     * Allocates {@code bytes} from {@code arena}. On failure, closes the arena (it holds nothing else yet) and
     * throws an actionable error.
     *
     * @param arena     the allocator's arena, fresh
     * @param bytes     the bytes to reserve
     * @param alignment the alignment of the block
     * @param kind      the allocator's kind, for the message
     * @return the block
     * @throws AllocationException {@link ErrorCode#OUT_OF_MEMORY} when the system refuses the memory
     */
    public static MemorySegment reserve(Arena arena, long bytes, long alignment, String kind) {
        try {
            return arena.allocate(bytes, alignment);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            arena.close();
            throw Events.allocationError(Failure.of(ErrorCode.OUT_OF_MEMORY)
                    .allocator(kind)
                    .request(bytes, alignment)
                    .details("the system could not reserve " + bytes + " bytes of native memory: " + e.getMessage())
                    .suggest("Ask for a smaller capacity.")
                    .suggest("Free native memory held elsewhere (other arenas, direct buffers) first.")
                    .build());
        }
    }
}
