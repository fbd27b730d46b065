package io.nebula.memory.pool;

/**
 * The arithmetic of a block handle, in one place: {@code handle = chunk << 40 | offset}, where {@code offset} is the
 * block's byte offset in its chunk's segment. Every handle of a pool is non-negative, and a handle of chunk 0 is the
 * offset into the first chunk.
 *
 * <p>A thread-safe pool numbers its blocks differently on its free list ({@link SharedPool}); handles, which users
 * see, are the same for both implementations.
 */
final class Handles {

    /** Bits of a handle that hold the byte offset in the chunk; the chunk index sits above them. */
    static final int CHUNK_SHIFT = 40;
    /** The offset bits of a handle. */
    static final long OFFSET_MASK = (1L << CHUNK_SHIFT) - 1;
    /** The largest chunk: offsets fit in 40 bits, and a chunk's blocks are indexed by an {@code int}. */
    static final long MAX_CHUNK_BYTES = 1L << 39;
    /** The most chunks a pool can hold: every handle stays non-negative. */
    static final int MAX_CHUNKS = 1 << (63 - CHUNK_SHIFT);

    private Handles() {
    }

    /** The handle of the block at {@code offset} in {@code chunk}. */
    static long of(int chunk, long offset) {
        return (long) chunk << CHUNK_SHIFT | offset;
    }

    /** The chunk index of a handle; for a negative handle, a value no chunk has. */
    static long chunkOf(long handle) {
        return handle >>> CHUNK_SHIFT;
    }

    /** The chunk index of a handle known to name a chunk of the pool. */
    static int chunk(long handle) {
        return (int) (handle >>> CHUNK_SHIFT);
    }

    /** The byte offset of a handle's block in its chunk. */
    static long offset(long handle) {
        return handle & OFFSET_MASK;
    }
}
