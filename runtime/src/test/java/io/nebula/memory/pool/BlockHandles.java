package io.nebula.memory.pool;

import java.lang.foreign.MemorySegment;

/** The handle of the block behind a segment a pool handed out, for tests that track blocks by handle. */
final class BlockHandles {

    private BlockHandles() {
    }

    /** The handle of the block behind {@code segment}: from checked mode's record, or by address among the chunks. */
    static long handleOf(PoolAllocator pool, MemorySegment segment) {
        if (pool.isChecked()) {
            return pool.checkedBlocks.find(segment).handle();
        }
        for (int chunk = 0; chunk < pool.chunkCount(); chunk++) {
            MemorySegment candidate = pool.segmentOf(Handles.of(chunk, 0));
            long offset = segment.address() - candidate.address();
            if (offset >= 0 && offset < candidate.byteSize()) {
                return Handles.of(chunk, offset);
            }
        }
        throw new AssertionError("the segment is in no chunk: " + segment);
    }
}
