package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * How a pool gets, adds and clears its chunks, the same for both implementations: the first chunk, a chunk added by
 * growth under the pool's configuration (or the {@link ErrorCode#OUT_OF_MEMORY} that explains why not), the
 * statistics and flight-recorder events of growth and reset, and the clearing a reset does. The caller serialises
 * growth and reset (a thread-safe pool holds its lock) and publishes the table returned.
 */
final class PoolChunks {

    private PoolChunks() {
    }

    /** Reserves the first chunk, or closes the pool's arena and throws {@link ErrorCode#OUT_OF_MEMORY}. */
    static ChunkTable first(PoolAllocator pool) {
        MemorySegment first = NativeMemory.reserve(pool.arena, pool.stride * pool.chunkBlocks, pool.chunkAlignment,
                "PoolAllocator");
        return ChunkTable.of(first, pool.chunkBlocks, pool.stride, pool.blockStates);
    }

    /** Returns {@code table} with one more chunk, or throws {@link ErrorCode#OUT_OF_MEMORY}. */
    static ChunkTable grow(PoolAllocator pool, ChunkTable table, long byteSize, long byteAlignment) {
        PoolConfig config = pool.config;
        if (!config.allowGrowth() || table.totalBlocks >= config.maxBlocks() || table.count == pool.maxChunks) {
            pool.failed();
            throw Events.allocationError(PoolErrors.outOfMemory(pool, table, byteSize, byteAlignment, null));
        }
        int blocks = (int) Math.min(pool.chunkBlocks, config.maxBlocks() - table.totalBlocks);
        MemorySegment chunk;
        try {
            chunk = NativeMemory.allocate(pool.arena, blocks * pool.stride, pool.chunkAlignment);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            pool.failed();
            AllocationException refused = PoolErrors.outOfMemory(pool, table, byteSize, byteAlignment,
                    "the system could not reserve " + blocks * pool.stride + " bytes of native memory for a new"
                            + " chunk of " + blocks + " blocks: " + e);
            refused.initCause(e);
            throw Events.allocationError(refused);
        }
        return table.with(chunk, blocks, pool.stride);
    }

    /** Records a growth in the statistics and the flight recorder. */
    static void grew(PoolAllocator pool, ChunkTable before, ChunkTable after) {
        if (pool.stats != null) {
            pool.stats.grew(pool.usedBytes());
        }
        Events.growth(pool, (after.totalBlocks - before.totalBlocks) * pool.stride, after.totalBlocks * pool.stride);
    }

    /**
     * Clears the block states (a thread-safe pool's) of the first {@code touched} bytes of a chunk, and zeroes those
     * bytes if configured.
     */
    static void clear(PoolAllocator pool, ChunkTable table, int chunk, long touched) {
        if (pool.config.zeroOnRelease() && touched > 0) {
            MemoryKernels.fill(table.segments[chunk], 0, touched, (byte) 0);
        }
        if (table.states != null) {
            Arrays.fill(table.states[chunk], ChunkTable.STATE_PADDING,
                    ChunkTable.STATE_PADDING + (int) ((touched + pool.stride - 1) / pool.stride), (byte) 0);
        }
    }

    /** Records a reset of {@code released} bytes in the statistics and the flight recorder. */
    static void wasReset(PoolAllocator pool, long released) {
        if (pool.stats != null) {
            pool.stats.released(released);
        }
        Events.release(pool, "reset", released);
    }
}
