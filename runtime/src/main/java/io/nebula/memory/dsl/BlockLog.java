package io.nebula.memory.dsl;

import io.nebula.memory.AllocationException;
import io.nebula.memory.pool.PoolAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Arrays;
import java.util.Objects;

/**
 * The blocks a {@link PoolAllocator} handed out inside open scopes, so that each scope can give back exactly the
 * blocks taken while it was open: the pool counterpart of a bump checkpoint or a stack marker.
 *
 * <pre>{@code
 * BlockLog blocks = BlockLog.of(pool);
 * int mark = blocks.open();
 * try {
 *     MemorySegment a = blocks.allocate(64, 8);   // a block of the pool, recorded
 *     ...
 * } finally {
 *     blocks.close(mark);                         // every block taken since open() goes back
 * }
 * }</pre>
 *
 * <p>The log is a growing array of block handles and a count of open scopes. Scopes nest; {@link #close(int)}
 * closes the innermost one. A block allocated while no scope is open is not recorded and stays allocated until
 * given back to the pool directly.
 *
 * <h2>Costs</h2>
 * {@link #open()}: two field updates. {@link #allocate(long, long)}: {@link PoolAllocator#allocateHandle()}, one
 * array store when a scope is open, and the {@code asSlice} of the returned segment. {@link #close(int)}: one
 * {@link PoolAllocator#deallocateHandle(long)} per recorded block. No heap allocation except when the array grows,
 * which doubles it: a steady workload stops allocating after warm-up.
 *
 * <h2>Threads</h2>
 * Confined like its pool: use it from the pool's thread only. The pool checks every call.
 */
public final class BlockLog implements SegmentAllocator {

    private final PoolAllocator pool;
    private long[] handles = new long[16];
    private int size;
    private int openScopes;

    private BlockLog(PoolAllocator pool) {
        this.pool = pool;
    }

    /**
     * Creates an empty log for a pool.
     *
     * @param pool the pool whose blocks the log records
     * @return the log, with no scope open
     */
    public static BlockLog of(PoolAllocator pool) {
        return new BlockLog(Objects.requireNonNull(pool, "pool"));
    }

    /**
     * Returns the pool.
     *
     * @return the pool whose blocks this log records
     */
    public PoolAllocator pool() {
        return pool;
    }

    /**
     * Opens a scope nested in the open ones.
     *
     * @return the mark to pass to {@link #close(int)}
     */
    public int open() {
        openScopes++;
        return size;
    }

    /**
     * Takes one block of the pool, and records it when a scope is open. Any request that fits a block is served
     * by a whole block, as with {@link PoolAllocator#allocate(long, long)}.
     *
     * @param byteSize the bytes needed, at most the pool's block size
     * @param byteAlignment the alignment needed, a power of two no larger than the pool's block alignment
     * @return the first {@code byteSize} bytes of the block
     * @throws AllocationException as {@link PoolAllocator#allocate(long, long)}; nothing is then recorded
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0 || byteSize > pool.blockSize() || Long.bitCount(byteAlignment) != 1
                || byteAlignment > pool.blockAlignment()) {
            return pool.allocate(byteSize, byteAlignment); // rejects the request with the pool's own error
        }
        long handle = pool.allocateHandle();
        if (openScopes > 0) {
            record(handle);
        }
        return pool.segmentOf(handle).asSlice(PoolAllocator.offsetOf(handle), byteSize);
    }

    private void record(long handle) {
        if (size == handles.length) {
            handles = Arrays.copyOf(handles, size * 2);
        }
        handles[size++] = handle;
    }

    /**
     * Closes the innermost scope: gives back, newest first, every block recorded since the {@link #open()} that
     * returned {@code mark}. Every block is given back even if one fails; the first failure is then thrown, the
     * others added to it as suppressed.
     *
     * @param mark the value {@link #open()} returned for the innermost open scope
     * @throws IllegalStateException when no scope is open or {@code mark} is not the innermost scope's; the log
     *     is then unchanged
     * @throws AllocationException when the pool rejects a block, for example one already given back by hand
     */
    public void close(int mark) {
        if (openScopes == 0 || mark < 0 || mark > size) {
            throw new IllegalStateException("no open scope has mark " + mark + ": " + openScopes
                    + " scope(s) open, " + size + " block(s) recorded; close scopes innermost first");
        }
        int end = size;
        size = mark;
        openScopes--;
        RuntimeException failure = null;
        for (int i = end - 1; i >= mark; i--) {
            try {
                pool.deallocateHandle(handles[i]);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Returns the number of scopes open.
     *
     * @return the nesting depth, 0 outside any scope
     */
    public int openScopes() {
        return openScopes;
    }

    /**
     * Returns the number of blocks recorded in the open scopes.
     *
     * @return the blocks that closing every open scope gives back
     */
    public int recorded() {
        return size;
    }

    @Override
    public String toString() {
        return "BlockLog[" + openScopes + " scope(s) open, " + size + " block(s) recorded, " + pool + "]";
    }
}
