package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Failure;
import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;

/**
 * Every error a {@link BumpAllocator} reports, as side-effect-free factories: each builds the exception with the
 * numbers involved and what to do, records nothing and throws nothing. The allocator throws the result with
 * {@code throw Events.allocationError(...)} and counts a failed allocation where it is one.
 */
final class BumpErrors {

    private BumpErrors() {
    }

    static AllocationException invalidCapacity(long capacity) {
        return Failure.of(ErrorCode.INVALID_SIZE)
                .allocator("BumpAllocator")
                .request(capacity, BumpAllocator.BLOCK_ALIGNMENT)
                .details("the capacity must be at least 1 byte, was " + capacity)
                .suggest("Pass the total bytes the arena must hold between resets, for example 64 * 1024.")
                .build();
    }

    static AllocationException capacityOverLimit(long capacity, BumpConfig.Growth growth) {
        return Failure.of(ErrorCode.INVALID_SIZE)
                .allocator("BumpAllocator")
                .request(capacity, BumpAllocator.BLOCK_ALIGNMENT)
                .details("the first chunk (" + capacity + " bytes) is larger than the growth limit of "
                        + growth.limitBytes() + " bytes")
                .suggest("Create the arena with a capacity of at most " + growth.limitBytes() + " bytes, or raise the"
                        + " limit: BumpConfig.withGrowth(" + growth.maxChunkBytes() + ", " + capacity + ").")
                .build();
    }

    /**
     * A request with a negative size or an alignment that is not a power of two, or {@code null} when the request
     * is valid.
     */
    static AllocationException invalidRequest(String allocator, long byteSize, long byteAlignment, long available,
                                              long used) {
        return Requests.invalidRequest(allocator, byteSize, byteAlignment, available, used);
    }

    /** A fixed arena has too little left: {@code used} bytes of {@code capacity}, and the request starts at {@code start}. */
    static AllocationException outOfMemory(String allocator, ConfigOrigin origin, long byteSize, long byteAlignment,
                                           long used, long capacity, long start) {
        long padding = start - used;
        if (byteAlignment > BumpAllocator.BLOCK_ALIGNMENT && byteSize <= capacity - used) {
            return overAligned(allocator, byteSize, byteAlignment, used, capacity, padding);
        }
        Failure error = Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(allocator)
                .request(byteSize, byteAlignment)
                .memory(capacity - used, used)
                .details("the request needs " + byteSize + " bytes" + (padding > 0 ? " plus " + padding
                        + " bytes of alignment padding" : "") + " at offset " + used + " but only "
                        + (capacity - used) + " bytes remain");
        if (byteSize > capacity) {
            String larger = "The request is larger than the whole arena (" + capacity + " bytes): ";
            error.suggest(origin, larger + "create the arena with a capacity of at least " + byteSize
                            + " bytes, or allocate this object elsewhere.",
                    larger + "raise @Allocator(size = " + byteSize + ") on " + Failure.ANNOTATED_CLASS
                            + ", or allocate this object elsewhere.");
        } else {
            long needed = start + byteSize;
            error.suggest(origin, "Increase the capacity to at least " + needed + " bytes (BumpAllocator.create("
                    + needed + ")).", "Raise @Allocator(size = " + needed + ") on " + Failure.ANNOTATED_CLASS + ".");
            error.suggest("Call reset(), or restore a checkpoint, to reclaim memory that is no longer needed.");
        }
        error.suggest(origin, "Make the arena growable when the total is not known in advance: "
                + "BumpConfig.defaults().withGrowth(maxChunkBytes, limitBytes).", null);
        return error.build();
    }

    /**
     * The request would fit, but not at an address with its alignment: above the block's own alignment, the padding
     * depends on where the system placed the block, so no capacity figure is worth suggesting.
     */
    private static AllocationException overAligned(String allocator, long byteSize, long byteAlignment, long used,
                                                   long capacity, long padding) {
        return Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(allocator)
                .request(byteSize, byteAlignment)
                .memory(capacity - used, used)
                .details("the " + byteSize + " bytes would fit in the " + (capacity - used) + " bytes left, but the"
                        + " next address aligned to " + byteAlignment + " bytes lies " + padding + " bytes further on,"
                        + " past the end of the arena; the arena's block is aligned to "
                        + BumpAllocator.BLOCK_ALIGNMENT + " bytes, so an alignment above that is met only where the"
                        + " block's address happens to allow it")
                .suggest("Ask for an alignment of at most " + BumpAllocator.BLOCK_ALIGNMENT + " bytes, or round the"
                        + " address up yourself inside a larger request.")
                .suggest("Allocate memory with such an alignment from a JDK arena: Arena.allocate(" + byteSize + ", "
                        + byteAlignment + ").")
                .build();
    }

    /** A growable arena would pass its limit to serve the request. */
    static AllocationException growthLimit(String allocator, long byteSize, long byteAlignment, long used,
                                           long leftInChunk, ChunkChain chain) {
        long reserved = chain.reserved();
        long spare = chain.spareBytes();
        long inUse = reserved - spare;
        long room = chain.room();
        long limit = chain.limitBytes();
        long planned = chain.plannedChunkBytes(byteSize);
        Failure error = Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(allocator)
                .request(byteSize, byteAlignment)
                .memory(reserved - used, used)
                .details("the request needs " + byteSize + " bytes, more than the " + Math.max(leftInChunk, 0)
                        + " bytes left in the current chunk, and the growth limit of " + limit
                        + " bytes leaves room for a new chunk of only " + Math.max(room, 0) + " bytes ("
                        + reserved + " bytes reserved in chunks " + chain.describeChunks()
                        + (spare > 0 ? ", of which " + spare + " in spare chunks growth would free first" : "")
                        + ")");
        long wanted = saturatedAdd(inUse, planned);
        error.suggest("Raise the limit to at least " + wanted + " bytes: BumpConfig.withGrowth("
                + chain.maxChunkBytes() + ", " + wanted + ").");
        if (byteSize > chain.maxChunkBytes()) {
            error.suggest("The request is larger than maxChunkBytes (" + chain.maxChunkBytes() + " bytes), so it"
                    + " needs a chunk of its own: allocate such objects elsewhere, or raise the limit.");
        }
        error.suggest("Call reset(), or restore a checkpoint, to reclaim memory that is no longer needed.");
        return error.build();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** {@code allocateOffset} on a growable arena. */
    static AllocationException offsetsNeedAFixedArena(String allocator, long byteSize, long byteAlignment,
                                                      long available, long used, BumpConfig.Growth growth) {
        return Failure.of(ErrorCode.INVALID_SIZE)
                .allocator(allocator)
                .request(byteSize, byteAlignment)
                .memory(available, used)
                .details("offsets index segment(), the one block of a fixed arena; this arena grows (chunks of up"
                        + " to " + growth.maxChunkBytes() + " bytes, limit " + growth.limitBytes() + " bytes), so"
                        + " no single segment holds its allocations and the offset path serves no bytes")
                .suggest("Use allocate(byteSize, byteAlignment): a segment that does not escape the caller costs no"
                        + " heap allocation.")
                .suggest("For offsets, create a fixed arena: leave growth out of the config"
                        + " (BumpConfig.withoutGrowth()).")
                .build();
    }

    static AllocationException useAfterFree(String allocator, MemorySegment segment, long available, long used) {
        return Failure.of(ErrorCode.USE_AFTER_FREE)
                .allocator(allocator)
                .request(segment.byteSize(), 1)
                .memory(available, used)
                .details("the segment (" + segment.byteSize() + " bytes) was released by an earlier restore or"
                        + " reset of this arena")
                .suggest("Do not keep segments past the scope or checkpoint they were allocated in.")
                .build();
    }

    /**
     * A segment that is not this arena's.
     *
     * @param where the arena's memory, for the message: its block's address range, or its chunks
     */
    static AllocationException foreignSegment(String allocator, MemorySegment segment, long available, long used,
                                              String where) {
        return Failure.of(ErrorCode.FOREIGN_SEGMENT)
                .allocator(allocator)
                .request(segment.byteSize(), 1)
                .memory(available, used)
                .details("the segment (" + segment.byteSize() + " bytes at address 0x"
                        + Long.toHexString(segment.address()) + (segment.isNative() ? "" : ", on the heap")
                        + ") is not inside " + where)
                .suggest("Give each segment back to the allocator that returned it.")
                .build();
    }

    /** A checkpoint that {@code restore} cannot take back, and why. */
    static AllocationException invalidCheckpoint(String allocator, long available, long used, Checkpoint checkpoint,
                                                 String why, boolean mine) {
        Failure error = Failure.of(ErrorCode.INVALID_CHECKPOINT)
                .allocator(allocator)
                .memory(available, used)
                .details(checkpoint + " cannot be restored: " + why);
        if (!mine) {
            return error.suggest("Restore a checkpoint on the arena whose checkpoint() or scope() made it.").build();
        }
        return error
                .suggest("Restore checkpoints in reverse order of creation (close nested scopes before outer ones).")
                .suggest("Take a new checkpoint after reset(); a reset discards every checkpoint.")
                .build();
    }

    static String anotherAllocator(BumpAllocator owner) {
        return "it was taken on another allocator, " + owner;
    }

    static String anotherKind(Checkpoint checkpoint) {
        return "it is a " + checkpoint.getClass().getName() + ", not a checkpoint of a BumpAllocator; only"
                + " checkpoint() and scope() of this arena make checkpoints it can restore";
    }

    static String discarded(int liveCheckpoints) {
        return "it was discarded by an earlier restore (of it or of an enclosing checkpoint), the close of its"
                + " scope, or reset(); " + liveCheckpoints + " checkpoint(s) are live";
    }
}
