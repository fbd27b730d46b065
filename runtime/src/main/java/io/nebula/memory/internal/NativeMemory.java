package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Every place the runtime takes native memory from the system: an allocator's backing block or chunk, and checked
 * mode's per-allocation segments. One seam, so that a refusal is handled the same way everywhere: the allocator
 * leaves its state as it was, counts the failure and throws {@link ErrorCode#OUT_OF_MEMORY} with the system's
 * error as the cause.
 */
public final class NativeMemory {

    /** Takes native memory from an arena. */
    @FunctionalInterface
    interface Source {
        MemorySegment allocate(Arena arena, long bytes, long alignment);
    }

    /** The JDK arena itself: what the runtime always uses. */
    static final Source SYSTEM = (arena, bytes, alignment) -> arena.allocate(bytes, alignment);

    /**
     * Where native memory comes from. Package-private and in a package the module does not export: only the
     * runtime's own tests of this package replace it, to make the system refuse memory at a chosen moment.
     */
    static volatile Source source = SYSTEM;

    private NativeMemory() {
    }

    /**
     * Allocates {@code bytes} from {@code arena}, zeroed, as {@link Arena#allocate(long, long)} does.
     *
     * @param arena     the arena that will own the memory
     * @param bytes     the bytes to allocate, not negative
     * @param alignment the alignment, a power of two
     * @return the segment
     * @throws OutOfMemoryError when the system refuses the memory
     * @throws IllegalArgumentException when the JDK refuses the size (larger than the address space can hold)
     */
    public static MemorySegment allocate(Arena arena, long bytes, long alignment) {
        return source.allocate(arena, bytes, alignment);
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
            return allocate(arena, bytes, alignment);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            arena.close();
            throw Events.allocationError(Failure.of(ErrorCode.OUT_OF_MEMORY)
                    .allocator(kind)
                    .request(bytes, alignment)
                    .details("the system could not reserve " + bytes + " bytes of native memory ("
                            + describe(e) + ")")
                    .suggest("Ask for a smaller capacity.")
                    .suggest("Free native memory held elsewhere (other arenas, direct buffers) first.")
                    .cause(e)
                    .build());
        }
    }

    /**
     * Builds the error for checked mode's own segment of an allocation, refused by the system. The allocator has
     * already undone the allocation.
     *
     * @param allocator the allocator's description
     * @param bytes     the size of the allocation
     * @param alignment its alignment
     * @param available the allocator's available bytes
     * @param used      the allocator's used bytes
     * @param cause     the system's error
     * @return the error to throw
     */
    public static AllocationException checkedSegmentRefused(String allocator, long bytes, long alignment,
                                                            long available, long used, Throwable cause) {
        return Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(allocator)
                .request(bytes, alignment)
                .memory(available, used)
                .details("the system could not reserve " + bytes + " bytes of native memory for the checked-mode"
                        + " segment of the allocation (" + describe(cause) + "); the allocator is as it was"
                        + " before the call")
                .suggest("Free native memory held elsewhere (other arenas, direct buffers) first.")
                .suggest("Or run without checked mode, which takes no native memory beyond the allocator's own.")
                .cause(cause)
                .build();
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() + ": the request is larger than any address range"
                + " the JDK can reserve" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
