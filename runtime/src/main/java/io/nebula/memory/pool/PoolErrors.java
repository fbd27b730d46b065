package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Failure;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;

/**
 * Every error the pool throws, written once: what happened, the numbers involved, what to do. Each method builds an
 * {@link AllocationException} and has no side effect (it reads the pool's state for the message, nothing more); the
 * pool throws the result with {@code throw Events.allocationError(...)} and counts a failed allocation where it
 * should.
 */
final class PoolErrors {

    private PoolErrors() {
    }

    // ---- creation ----------------------------------------------------------------------------------------------

    static AllocationException blockSizeBelowOne(long blockSize, long blockAlignment) {
        return shape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                "the block size must be at least 1 byte, was " + blockSize,
                "Pass the size of the objects the pool holds, for example layout.byteSize().");
    }

    static AllocationException blockAlignmentNotAPowerOfTwo(long blockSize, long blockAlignment) {
        long lower = blockAlignment > 0 ? Long.highestOneBit(blockAlignment) : 1;
        return shape(ErrorCode.INVALID_ALIGNMENT, blockSize, blockAlignment,
                "the block alignment " + blockAlignment + " is not a positive power of two",
                "Use a power of two such as " + lower + (lower < (1L << 62) ? " or " + (lower << 1) : "")
                        + ", or take it from a layout: layout.byteAlignment().");
    }

    static AllocationException blockCountBelowOne(long blockSize, long blockAlignment, int blockCount) {
        return shape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                "the block count must be at least 1, was " + blockCount,
                "Pass the number of blocks the pool must hold at once, for example 1024.");
    }

    static AllocationException blockCountAboveMax(long blockSize, long blockAlignment, int blockCount,
                                                  long maxBlocks) {
        return shape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                "the block count " + blockCount + " exceeds the configured maxBlocks " + maxBlocks,
                "Pass a block count of at most " + maxBlocks + ", or raise the bound with"
                        + " PoolConfig.withMaxBlocks(" + blockCount + ").");
    }

    /** The blocks would fit in a chunk, but not at {@code blockAlignment}: it sets the stride. */
    static AllocationException alignmentTooLarge(long blockSize, long blockAlignment, int blockCount, long stride) {
        long fits = Long.highestOneBit(Handles.MAX_CHUNK_BYTES / blockCount);
        return shape(ErrorCode.INVALID_ALIGNMENT, blockSize, blockAlignment,
                "the block alignment " + blockAlignment + " puts block starts " + stride + " bytes apart, so "
                        + blockCount + " blocks of " + blockSize + " bytes would need a chunk of more than "
                        + Handles.MAX_CHUNK_BYTES + " bytes (512 GiB)",
                "Use an alignment of at most " + fits + " bytes for " + blockCount + " blocks; the alignment of the"
                        + " objects the pool holds (layout.byteAlignment()) is enough.");
    }

    /** The chunk would exceed {@link Handles#MAX_CHUNK_BYTES}; {@code stride} is -1 when a block alone does. */
    static AllocationException chunkTooLarge(long blockSize, long blockAlignment, int blockCount, long stride) {
        long perChunk = stride < 0 ? 0 : Handles.MAX_CHUNK_BYTES / stride;
        return shape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                blockCount + " blocks of " + blockSize + " bytes (alignment " + blockAlignment
                        + ") do not fit in one chunk of at most " + Handles.MAX_CHUNK_BYTES + " bytes (512 GiB)",
                perChunk > 0
                        ? "Use at most " + perChunk + " blocks per chunk, with allowGrowth in PoolConfig to add"
                                + " chunks as needed."
                        : "Blocks this large belong in their own arena, not a pool.");
    }

    private static AllocationException shape(ErrorCode code, long blockSize, long blockAlignment, String details,
                                             String suggestion) {
        return Failure.of(code).allocator("PoolAllocator").request(blockSize, blockAlignment).details(details)
                .suggest(suggestion).build();
    }

    // ---- allocation --------------------------------------------------------------------------------------------

    /** A request no block of the pool can serve. */
    static AllocationException invalidRequest(PoolAllocator pool, long byteSize, long byteAlignment) {
        AllocationException invalid = Requests.invalidRequest(pool.toString(), byteSize, byteAlignment,
                pool.availableBytes(), pool.usedBytes());
        if (invalid != null) {
            return invalid;
        }
        long blockSize = pool.blockSize();
        long blockAlignment = pool.blockAlignment();
        Failure error;
        if (byteSize > blockSize) {
            error = Failure.of(ErrorCode.INVALID_SIZE)
                    .details("the request is " + byteSize + " bytes but the pool's blocks are " + blockSize
                            + " bytes")
                    .suggest("Allocate objects of up to " + blockSize + " bytes from this pool, and larger ones from"
                            + " a pool of larger blocks, e.g. PoolAllocator.create(" + byteSize + ", "
                            + Math.max(byteAlignment, blockAlignment) + ", blockCount).")
                    .suggest("Or use a BumpAllocator or StackAllocator, which serve any size.");
        } else {
            error = Failure.of(ErrorCode.INVALID_ALIGNMENT)
                    .details("the request asks for alignment " + byteAlignment + " but the pool's blocks are aligned"
                            + " to " + blockAlignment + " bytes")
                    .suggest("Create the pool with block alignment " + byteAlignment + ": PoolAllocator.create("
                            + blockSize + ", " + byteAlignment + ", blockCount).");
        }
        return error.allocator(pool.toString()).request(byteSize, byteAlignment)
                .memory(pool.availableBytes(), pool.usedBytes()).build();
    }

    /**
     * Every block is in use and the pool cannot grow.
     *
     * @param nativeFailure why the system refused a new chunk, or {@code null} when the configuration forbids it
     */
    static AllocationException outOfMemory(PoolAllocator pool, ChunkTable table, long byteSize, long byteAlignment,
                                           String nativeFailure) {
        PoolConfig config = pool.config();
        Failure error = Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(pool.toString())
                .request(byteSize, byteAlignment)
                .memory(pool.availableBytes(), pool.usedBytes());
        long cached = pool.blocksInThreadCaches();
        String inUse = "all " + table.totalBlocks + " blocks (" + pool.blockSize() + " bytes each, stride "
                + pool.stride() + ", in " + table.count + " chunk(s)) are in use"
                + (cached == 0 ? "" : " or held in threads' caches");
        if (cached > 0) {
            error.suggest(cached + " free block(s) sit in the caches of " + pool.threadCacheCount() + " thread(s)"
                    + " (threadCache()), where only those threads can take them: close a thread's cache"
                    + " (threadCache().close()) when that thread stops allocating for a while, to give its blocks"
                    + " back to the pool. The cache of a thread that has ended gives its blocks back by itself.");
        }
        if (nativeFailure != null) {
            error.details(inUse + ", and " + nativeFailure)
                    .suggest("Bound the pool with PoolConfig.withMaxBlocks, and free native memory held elsewhere.");
        } else if (!config.allowGrowth()) {
            long larger = Math.min(2L * pool.chunkBlocks, Integer.MAX_VALUE);
            error.details(inUse + " and the pool may not grow")
                    .suggest(config.origin(), "Enable growth: PoolConfig.defaults().withAllowGrowth(true) adds a"
                            + " chunk of " + pool.chunkBlocks + " blocks whenever the pool is full.", null)
                    .suggest(config.origin(), "Or create the pool with more blocks, for example"
                            + " PoolAllocator.create(" + pool.blockSize() + ", " + pool.blockAlignment() + ", "
                            + larger + ").", "Raise @Allocator(blockCount = " + larger + ") on "
                            + Failure.ANNOTATED_CLASS + ".");
        } else if (table.totalBlocks >= config.maxBlocks()) {
            long larger = config.maxBlocks() > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * config.maxBlocks();
            error.details(inUse + " and the pool may not grow past maxBlocks = " + config.maxBlocks())
                    .suggest("Raise the bound: PoolConfig.withMaxBlocks(" + larger + ").");
        } else {
            error.details(inUse + " and the pool already has the most chunks it can hold, " + pool.maxChunks
                            + pool.chunkLimitNote())
                    .suggest("Create the pool with more blocks per chunk, so that it needs fewer chunks.");
        }
        return error.suggest("Give blocks back with deallocate or deallocateHandle, or call reset(), when they are"
                + " no longer needed.").build();
    }

    /** A thread cache called from another thread than its own. */
    static AllocationException notItsThread(PoolAllocator cache, Thread owner) {
        Thread current = Thread.currentThread();
        return Failure.of(ErrorCode.WRONG_THREAD)
                .allocator(cache.toString())
                .details("thread \"" + current.getName() + "\" (id " + current.threadId() + ") called the cache of"
                        + " thread \"" + owner.getName() + "\" (id " + owner.threadId() + "), which threadCache()"
                        + " returned to that thread: a thread's cache is bound to its thread")
                .suggest("Call threadCache() on each thread for that thread's own cache, or call the thread-safe"
                        + " pool itself.")
                .build();
    }

    /** Checked mode could not reserve the segment of a block. */
    static AllocationException checkedSegmentFailure(PoolAllocator pool, long byteSize, OutOfMemoryError e) {
        return NativeMemory.checkedSegmentRefused(pool.toString(), byteSize, pool.blockAlignment(),
                pool.availableBytes(), pool.usedBytes(), e);
    }

    // ---- deallocation ------------------------------------------------------------------------------------------

    /** A segment that does not lie at the start of a block of any chunk. */
    static AllocationException foreignSegment(PoolAllocator pool, ChunkTable table, MemorySegment segment,
                                              int chunk) {
        String why;
        if (!segment.isNative()) {
            why = "it is a heap segment";
        } else if (chunk < 0) {
            why = "it is not inside any chunk of this pool: " + table.ranges();
        } else {
            why = "it is larger than a block (" + pool.blockSize() + " bytes)";
        }
        return foreign(pool, describe(segment) + " is not a block of this pool: " + why);
    }

    /** A handle whose chunk index names no chunk. */
    static AllocationException unknownChunk(PoolAllocator pool, ChunkTable table, long handle) {
        return foreign(pool, describe(handle) + " is not a block of this pool: it names chunk "
                + Handles.chunkOf(handle) + " but the pool has " + table.count + " chunk(s)");
    }

    /** Checked mode: a handle, or a slice of a chunk, names a block that was handed out as a segment of its own. */
    static AllocationException handedOutAsCheckedSegment(PoolAllocator pool, long handle, MemorySegment segment) {
        return foreign(pool, (segment == null ? describe(handle) : "the segment")
                + " names a block that was handed out as a segment of its own in checked mode: give back that"
                + " segment instead");
    }

    private static AllocationException foreign(PoolAllocator pool, String details) {
        return Failure.of(ErrorCode.FOREIGN_SEGMENT)
                .allocator(pool.toString())
                .memory(pool.availableBytes(), pool.usedBytes())
                .details(details)
                .suggest("Give each block back to the pool that returned it, as returned (not a slice of it).")
                .build();
    }

    /**
     * Why the block at {@code offset} of {@code chunk} cannot be given back: past the chunk, inside a block, or
     * already free.
     *
     * @param segment   the segment given back, or {@code null} for a handle
     * @param handedOut whether the block was handed out since the pool was created or last reset
     */
    static AllocationException releaseFailure(PoolAllocator pool, ChunkTable table, int chunk, long offset,
                                              MemorySegment segment, boolean handedOut) {
        String what = segment == null ? describe(Handles.of(chunk, offset)) : describe(segment);
        long stride = pool.stride();
        long block = offset / stride;
        if (offset >= table.limits[chunk]) {
            return foreign(pool, what + " is not a block of this pool: offset " + offset + " is past the end of chunk "
                    + chunk + " (" + table.limits[chunk] + " bytes)");
        }
        if (offset % stride != 0) {
            return foreign(pool, what + " is not a block of this pool: it starts " + offset % stride + " bytes into"
                    + " block " + block + " of chunk " + chunk + " (blocks start every " + stride + " bytes)");
        }
        return doubleFree(pool, what + " is block " + block + " of chunk " + chunk + ", which is already free: "
                + (handedOut ? "it was given back before" : "it has not been handed out since the pool was"
                        + " created or last reset"));
    }

    /** Thread-safe pools: a block given back by hand while the scope that took it gives it back. */
    static AllocationException givenBackByItsScope(PoolAllocator pool, int chunk, long offset,
                                                   MemorySegment segment) {
        String what = segment == null ? describe(Handles.of(chunk, offset)) : describe(segment);
        return doubleFree(pool, what + " is block " + offset / pool.stride() + " of chunk " + chunk + ", which the"
                + " scope that took it is giving back right now, on another thread");
    }

    private static AllocationException doubleFree(PoolAllocator pool, String details) {
        return Failure.of(ErrorCode.DOUBLE_FREE)
                .allocator(pool.toString())
                .memory(pool.availableBytes(), pool.usedBytes())
                .details(details)
                .suggest("Give each block back exactly once; clear your reference to it when you do.")
                .suggest("Blocks handed out before reset() were all given back by it, and blocks taken inside a"
                        + " scope are given back by its close; do not give them back again.")
                .build();
    }

    /**
     * The free list's next block, read from the first 8 bytes of the block handed out before it, is not a free block:
     * a write into that block after it was given back overwrote the link.
     *
     * @param what what the link names instead: "in use", "outside every chunk", "not the start of a block"
     */
    static AllocationException corruptFreeList(PoolAllocator pool, long handle, String what) {
        return Failure.of(ErrorCode.USE_AFTER_FREE)
                .allocator(pool.toString())
                .request(pool.blockSize(), pool.blockAlignment())
                .memory(pool.availableBytes(), pool.usedBytes())
                .details("the free list names block handle 0x" + Long.toHexString(handle) + " next, which is "
                        + what + ": a block was written to after it was given back (a free block's first 8 bytes"
                        + " link it to the next free block), and the pool refuses to hand out a block twice")
                .suggest("Find the write into a block after deallocate(): run with checked mode"
                        + " (PoolConfig.withChecked(true) or -Dnebula.memory.checked=true), where such a write"
                        + " throws IllegalStateException at the write itself.")
                .suggest("reset() the pool to rebuild its free list.")
                .build();
    }

    /** Checked mode: a segment whose arena is closed, because it was given back, reset or released by a scope. */
    static AllocationException useAfterFree(PoolAllocator pool, MemorySegment segment) {
        return Failure.of(ErrorCode.USE_AFTER_FREE)
                .allocator(pool.toString())
                .request(segment.byteSize(), 1)
                .memory(pool.availableBytes(), pool.usedBytes())
                .details(describe(segment) + " was already given back to this pool, by hand, by the close of the"
                        + " scope it was allocated in, or by reset(): its memory is closed")
                .suggest("Give each block back exactly once, and do not use it afterwards; clear your reference to"
                        + " it when you give it back.")
                .suggest("Do not keep segments past the scope they were allocated in, nor past reset().")
                .build();
    }

    // ---- scopes ------------------------------------------------------------------------------------------------

    /** A scope closed while scopes opened inside it are still open. */
    static AllocationException scopeNotInnermost(PoolAllocator pool, int depth, int openScopes) {
        int inner = openScopes - depth - 1;
        return Failure.of(ErrorCode.INVALID_CHECKPOINT)
                .allocator(pool.toString())
                .memory(pool.availableBytes(), pool.usedBytes())
                .details("the scope at depth " + depth + " cannot close while " + inner + " scope(s) opened"
                        + " inside it on this thread are still open; it stays open and nothing was given back")
                .suggest("Close scopes innermost first, as try-with-resources does; then close this one again.")
                .build();
    }

    /** A scope that a reset discarded. */
    static AllocationException scopeDiscarded(PoolAllocator pool, int depth) {
        return Failure.of(ErrorCode.INVALID_CHECKPOINT)
                .allocator(pool.toString())
                .memory(pool.availableBytes(), pool.usedBytes())
                .details("the scope at depth " + depth + " was discarded by reset(), which gave back every"
                        + " block and discarded every open scope")
                .suggest("Do not reset a pool while scopes are open on it; close them first.")
                .build();
    }

    /** A scope of a thread-safe pool closed from a thread other than the one that opened it. */
    static AllocationException scopeOfAnotherThread(PoolAllocator pool, int depth) {
        return Failure.of(ErrorCode.WRONG_THREAD)
                .allocator(pool.toString())
                .memory(pool.availableBytes(), pool.usedBytes())
                .details("the scope at depth " + depth + " was opened by another thread: a scope gives back"
                        + " the blocks its own thread took, and only that thread may close it (Thread "
                        + Thread.currentThread().getName() + " tried)")
                .suggest("Close each scope on the thread that opened it, with try-with-resources.")
                .build();
    }

    private static String describe(MemorySegment segment) {
        return "the segment (" + segment.byteSize() + " bytes at address 0x" + Long.toHexString(segment.address())
                + ")";
    }

    private static String describe(long handle) {
        return "the handle 0x" + Long.toHexString(handle);
    }
}
