package io.nebula.memory.pool;

/**
 * Everything a pool reports about its state, to show that a failed call changed nothing.
 */
record PoolState(long usedBytes, long availableBytes, long capacityBytes, long freeBlocks, long blockCount,
                 int chunkCount, String description) {

    static PoolState of(PoolAllocator pool) {
        return new PoolState(pool.usedBytes(), pool.availableBytes(), pool.capacityBytes(), pool.freeBlocks(),
                pool.blockCount(), pool.chunkCount(), pool.toString());
    }
}
