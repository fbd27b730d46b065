package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Requests;

/**
 * The validated geometry of a pool: its blocks' size, alignment and stride, and its chunks' block count and
 * alignment. {@link #of} checks a creation request and throws before any memory is reserved.
 *
 * <p>Invariants: {@code stride} is {@code blockSize} rounded up to a multiple of the requested alignment and of 8
 * (a free block holds its free-list link in its first 8 bytes); {@code blockAlignment} is what every block start
 * has, at least the requested alignment; a chunk of {@code chunkBlocks} blocks fits in
 * {@link Handles#MAX_CHUNK_BYTES}.
 *
 * @param blockSize      the size of each block
 * @param blockAlignment the alignment every block has
 * @param stride         the distance between adjacent block starts
 * @param chunkBlocks    the blocks of the first chunk, and of each chunk growth adds
 * @param chunkAlignment the alignment of each chunk: the requested block alignment, and at least a cache line
 */
record PoolShape(long blockSize, long blockAlignment, long stride, int chunkBlocks, long chunkAlignment) {

    /** The least alignment of a chunk: one cache line. */
    private static final long MIN_CHUNK_ALIGNMENT = 64;
    /** The bytes of the free-list link at the start of each free block. */
    private static final long LINK_BYTES = 8;

    /**
     * Checks a creation request.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} or {@link ErrorCode#INVALID_ALIGNMENT}, as
     *     {@link PoolAllocator#create(long, long, int, PoolConfig)} documents
     */
    static PoolShape of(long blockSize, long blockAlignment, int blockCount, PoolConfig config) {
        if (blockSize < 1) {
            throw Events.allocationError(PoolErrors.blockSizeBelowOne(blockSize, blockAlignment));
        }
        if (!Requests.isPowerOfTwo(blockAlignment)) {
            throw Events.allocationError(PoolErrors.blockAlignmentNotAPowerOfTwo(blockSize, blockAlignment));
        }
        if (blockCount < 1) {
            throw Events.allocationError(PoolErrors.blockCountBelowOne(blockSize, blockAlignment, blockCount));
        }
        if (blockCount > config.maxBlocks()) {
            throw Events.allocationError(PoolErrors.blockCountAboveMax(blockSize, blockAlignment, blockCount,
                    config.maxBlocks()));
        }
        long stride = blockSize > Handles.MAX_CHUNK_BYTES ? -1
                : Requests.alignUp(blockSize, Math.max(LINK_BYTES, blockAlignment));
        if (stride < 0 || stride > Handles.MAX_CHUNK_BYTES / blockCount) {
            long unaligned = Requests.alignUp(blockSize, LINK_BYTES);
            if (stride > 0 && unaligned <= Handles.MAX_CHUNK_BYTES / blockCount) {
                throw Events.allocationError(PoolErrors.alignmentTooLarge(blockSize, blockAlignment, blockCount,
                        stride));
            }
            throw Events.allocationError(PoolErrors.chunkTooLarge(blockSize, blockAlignment, blockCount, stride));
        }
        long chunkAlignment = Math.max(blockAlignment, MIN_CHUNK_ALIGNMENT);
        return new PoolShape(blockSize, Math.min(chunkAlignment, Long.lowestOneBit(stride)), stride, blockCount,
                chunkAlignment);
    }
}
