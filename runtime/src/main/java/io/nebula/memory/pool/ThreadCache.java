package io.nebula.memory.pool;

import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Ownership;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One thread's cache of a thread-safe {@link SharedPool}, returned by {@link SharedPool#threadCache()}: a stack of
 * block handles that its thread owns for good instead of for one call, so that taking a block from it and putting
 * one back are plain loads and stores. The handles live in an array laid out as a {@link Magazine}'s, which the
 * pool's refills and flushes fill and empty as they do a magazine's. Everything but the cache is the pool's: the
 * chunks, the block states, the free list, the scopes, the counts, checked mode.
 *
 * <p>Only the thread writes the cache, with two exceptions that the thread cannot race: the lock holder moves the
 * blocks of a cache whose thread has ended to the free list (it found the thread ended, which orders every write of
 * the thread before), and {@link SharedPool#reset()} empties it, which the pool's contract allows only while no other
 * thread uses the pool. Since no other thread can take the cached blocks while the thread lives, the pool cannot
 * empty the cache before it reports that it is full: that is the price of the plain take, stated in
 * {@link PoolAllocator#threadCache()}.
 *
 * <p>The common cases, a block of the first chunk taken from the cache or given back into it with no scope open and
 * nothing else to do, are short paths of their own that a caller inlines whole: the thread and close checks (two
 * plain loads), the cache's handles on the heap, and the first chunk's segment, address and states from fields of the
 * cache, so that taking a block reads nothing of the pool but its count of open scopes, and giving one back adds the
 * compare-and-set of its state. Everything else is behind a call.
 *
 * <p>A virtual thread's cache holds no blocks ({@link #handles} is {@code null}) and passes every call to the pool,
 * whose shared magazines virtual threads share.
 */
final class ThreadCache extends PoolAllocator {

    private final SharedPool pool;
    private final Thread thread;
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(ThreadCache.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The handles of the free blocks this thread holds, {@code handles[Magazine.FIRST .. + count - 1]}, the last put
     * in at the end, padded as a magazine's ({@link Magazine#newHandles}); {@code null} for a cache that holds none.
     */
    private final long[] handles;
    /**
     * How many blocks the cache holds: written by its thread only, except by the pool's lock holder once the thread
     * has ended and by a reset; read by any thread through {@link #held()}.
     */
    private int count;
    /** The most blocks {@link #handles} holds. */
    private final int capacity;
    /**
     * Taking a block only moves it out of the cache: the cache has blocks of its own, and there is no checked mode,
     * fill pattern, zeroing or statistics.
     */
    private final boolean plainTake;
    /**
     * Giving a block back only moves it into the cache: the cache has blocks of its own, and there is no checked
     * mode, zeroing or statistics.
     */
    private final boolean plainFree;
    /**
     * The first chunk, which lives as long as the pool, as the short paths use it: its segment, address, size and
     * block states, read from fields of the cache instead of through the pool's chunk table (as the confined pool
     * does). A block of the first chunk has its offset for a handle.
     */
    private final MemorySegment firstChunk;
    private final long firstBase;
    private final long firstLimit;
    private final byte[] firstStates;
    /**
     * Set by the pool's close, under its lock: a plain field, read on every call instead of the lifecycle's volatile
     * flag, which would cost every call its fields' reloads. A call that races the close may miss it, as on the pool
     * itself, and then fails with the FFM API's {@link IllegalStateException} at its first access to the memory.
     */
    boolean closed;

    /** The cache of {@code thread}, holding up to {@code capacity} blocks; none, and passing every call on, if 0. */
    ThreadCache(SharedPool pool, Thread thread, int capacity) {
        super(pool);
        this.pool = pool;
        this.thread = thread;
        this.handles = capacity == 0 ? null : Magazine.newHandles(capacity);
        this.capacity = capacity;
        this.plainTake = capacity > 0 && !checked && !fill && !zeroOnRelease && stats == null;
        this.plainFree = capacity > 0 && !checked && !zeroOnRelease && stats == null;
        ChunkTable table = pool.table();
        this.firstChunk = table.segments[0];
        this.firstBase = table.bases[0];
        this.firstLimit = table.limits[0];
        this.firstStates = table.states[0];
    }

    /** The thread the cache belongs to. */
    Thread thread() {
        return thread;
    }

    /** The most blocks the cache holds: 0 for one that passes its calls to the pool. */
    int capacity() {
        return capacity;
    }

    /** The blocks the cache holds: exact from its thread, and once the thread is done; else a recent value. */
    int held() {
        return (int) COUNT.getOpaque(this);
    }

    /** Forgets the cached blocks: for a reset, which no other thread overlaps. */
    void empty() {
        count = 0;
    }

    /**
     * Moves every cached block to the shared free list with one compare-and-set: on this thread, or under the pool's
     * lock once the thread has ended.
     */
    void flush(ChunkTable table) {
        pool.flush(handles, count, table);
        count = 0;
    }

    /** Takes the handle last put in the cache, which holds one. */
    private long takeLast() {
        int last = count - 1;
        long handle = handles[Magazine.FIRST + last];
        count = last;
        return handle;
    }

    /**
     * The common case first, short enough to inline: a block of the first chunk from the cache, with no scope open.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (plainTake && fits(byteSize, byteAlignment) && Thread.currentThread() == thread && !closed
                && count > 0) {
            long handle = takeLast();
            if (Handles.chunkOf(handle) == 0 && pool.openScopes() == 0) {
                pool.markInUse(firstStates, handle);
                return firstChunk.asSlice(handle, byteSize);
            }
            return handOutCached(handle, byteSize);
        }
        return allocateSlowly(byteSize, byteAlignment);
    }

    /** Hands out a block just taken from the cache, of any chunk, logging it in an open scope if any. */
    private MemorySegment handOutCached(long handle, long byteSize) {
        pool.markInUse(pool.table(), handle);
        return loggedSlice(handle, byteSize);
    }

    /**
     * The segment of a block marked in use, logged in this thread's open scope if any. The table is read after the
     * block was taken: it has the block's chunk.
     */
    private MemorySegment loggedSlice(long handle, long byteSize) {
        if (pool.openScopes() != 0) {
            pool.inScope(handle, byteSize);
        }
        return pool.table().segments[Handles.chunk(handle)].asSlice(Handles.offset(handle), byteSize);
    }

    /** {@link #allocate(long, long)} beyond its common case. */
    private MemorySegment allocateSlowly(long byteSize, long byteAlignment) {
        checkThread();
        if (!fits(byteSize, byteAlignment)) {
            pool.lifecycleCheck();
            throw invalidRequest(byteSize, byteAlignment);
        }
        if (checked || handles == null) {
            return pool.allocate(byteSize, byteAlignment);
        }
        return loggedSlice(take(byteSize, byteAlignment), byteSize);
    }

    @Override
    public long allocateHandle() {
        long handle;
        if (plainTake && Thread.currentThread() == thread && !closed && count > 0) {
            handle = takeLast();
            if (Handles.chunkOf(handle) == 0) {
                pool.markInUse(firstStates, handle);
            } else {
                pool.markInUse(pool.table(), handle);
            }
        } else {
            checkThread();
            if (checked || handles == null) {
                return pool.allocateHandle();
            }
            handle = take(blockSize, blockAlignment);
        }
        if (pool.openScopes() != 0) {
            pool.inScope(handle, blockSize);
        }
        return handle;
    }

    /** Fills the empty cache: {@code false} when the pool has no block to spare. */
    private boolean refill() {
        count = pool.refill(handles);
        return count > 0;
    }

    /**
     * Hands out a block of this thread's cache, refilling an empty cache from the shared free list or the frontier,
     * or else takes one past every cache (growing the pool, or reporting that it is full).
     */
    private long take(long byteSize, long byteAlignment) {
        long handle;
        if (count > 0 || refill()) {
            handle = takeLast();
        } else {
            handle = pool.takeShared(byteSize, byteAlignment);
        }
        return pool.handOut(handle);
    }

    /** The common case first, short enough to inline: a block of the first chunk, with no scope open. */
    @Override
    public void deallocate(MemorySegment segment) {
        long offset = Objects.requireNonNull(segment, "segment").address() - firstBase;
        if (plainFree && Thread.currentThread() == thread && !closed && offset >= 0 && offset < firstLimit
                && segment.byteSize() <= blockSize && segment.isNative() && pool.openScopes() == 0) {
            cacheFirstChunkBlock(offset, segment);
        } else {
            deallocateSlowly(segment);
        }
    }

    /** {@link #deallocate(MemorySegment)} beyond its common case. */
    private void deallocateSlowly(MemorySegment segment) {
        checkThread();
        if (checked || handles == null) {
            pool.deallocate(segment);
            return;
        }
        releaseSegment(pool.table(), segment);
    }

    /** The common case first, short enough to inline: a block of the first chunk, with no scope open. */
    @Override
    public void deallocateHandle(long handle) {
        if (plainFree && Thread.currentThread() == thread && !closed && handle >= 0 && handle < firstLimit
                && pool.openScopes() == 0) {
            cacheFirstChunkBlock(handle, null);
        } else {
            deallocateHandleSlowly(handle);
        }
    }

    /**
     * Marks a block of the first chunk free and puts it in the cache: {@code offset} is its offset and handle, and lies
     * in the chunk, but may name no block start, or a block that is free already.
     */
    private void cacheFirstChunkBlock(long offset, MemorySegment segment) {
        if (!pool.tryMarkFree(firstStates, offset)) {
            pool.refuseRelease(pool.table(), 0, offset, segment);
        }
        put(offset);
    }

    /** {@link #deallocateHandle(long)} beyond its common case. */
    private void deallocateHandleSlowly(long handle) {
        checkThread();
        if (checked || handles == null) {
            pool.deallocateHandle(handle);
            return;
        }
        ChunkTable table = pool.table();
        if (Handles.chunkOf(handle) >= table.count) {
            throw Events.allocationError(PoolErrors.unknownChunk(this, table, handle));
        }
        release(table, Handles.chunk(handle), Handles.offset(handle), blockSize, null);
    }

    @Override
    void release(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        pool.claim(this, table, chunk, offset, segment);
        free(table, chunk, offset, byteSize, segment);
    }

    /**
     * Marks the block free, with the pool's compare-and-set, and puts it last in this thread's cache, after moving
     * every block of a full cache to the shared free list.
     */
    @Override
    void free(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        pool.markFree(table, chunk, offset, segment);
        if (zeroOnRelease) {
            zeroBlock(table.segments[chunk], offset);
        }
        put(Handles.of(chunk, offset));
        if (stats != null) {
            stats.deallocated(stride);
        }
    }

    /** Puts a block just marked free last in the cache, after moving every block of a full one to the free list. */
    private void put(long handle) {
        int held = count;
        if (held == capacity) {
            flush(pool.table());
            held = 0;
        }
        handles[Magazine.FIRST + held] = handle;
        count = held + 1;
    }

    @Override
    void untag(ChunkTable table, int chunk, long offset, MemorySegment segment) {
        pool.untag(table, chunk, offset, segment);
    }

    /** A scope of the pool on this thread: blocks this cache hands out are logged in it like the pool's own. */
    @Override
    public Scope scope() {
        checkThread();
        return pool.scope();
    }

    /** Itself, from its own thread. */
    @Override
    public PoolAllocator threadCache() {
        checkThread();
        pool.lifecycleCheck();
        return this;
    }

    /** Resets the pool, which empties every thread's cache: only while no other thread uses the pool. */
    @Override
    public void reset() {
        checkThread();
        pool.reset();
    }

    /**
     * Gives this thread's cached blocks back to the shared free list, where any thread can take them. The pool stays
     * open, and this cache usable: its next allocation refills it. Blocks still handed out are the pool's, and its
     * own {@link PoolAllocator#close()} reports them.
     *
     * @throws io.nebula.memory.AllocationException {@link io.nebula.memory.ErrorCode#WRONG_THREAD} from another
     *     thread, or {@link io.nebula.memory.ErrorCode#CLOSED} once the pool is closed
     */
    @Override
    public void close() {
        checkThread();
        pool.lifecycleCheck();
        if (handles != null && count > 0) {
            flush(pool.table());
        }
    }

    @Override
    String viewNote() {
        return ", cache of thread \"" + thread.getName() + "\" (id " + thread.threadId() + ")";
    }

    @Override
    ChunkTable table() {
        return pool.table();
    }

    @Override
    long live() {
        return pool.live();
    }

    @Override
    long openScopes() {
        return pool.openScopes();
    }

    @Override
    boolean handedOutSinceReset(int chunk, long offset) {
        return pool.handedOutSinceReset(chunk, offset);
    }

    @Override
    String chunkLimitNote() {
        return pool.chunkLimitNote();
    }

    @Override
    long blocksInThreadCaches() {
        return pool.blocksInThreadCaches();
    }

    @Override
    int threadCacheCount() {
        return pool.threadCacheCount();
    }

    /**
     * Throws {@code WRONG_THREAD} on a call from another thread than the cache's, and {@code CLOSED} once the pool is
     * closed: two plain loads and a comparison. A virtual thread's cache passes its calls to the pool, which checks
     * its own lifecycle.
     */
    private void checkThread() {
        if (Thread.currentThread() != thread || closed) {
            refuse();
        }
    }

    /**
     * Throws {@code CLOSED} once the pool is closed (found by the volatile flag too, for a virtual thread's cache,
     * which the pool does not list), or else {@code WRONG_THREAD} on a call from another thread than the cache's.
     */
    private void refuse() {
        if (closed) {
            throw Events.allocationError(Ownership.closed(pool.toString()));
        }
        pool.lifecycleCheck();
        if (Thread.currentThread() != thread) {
            throw Events.allocationError(PoolErrors.notItsThread(this, thread));
        }
    }
}
