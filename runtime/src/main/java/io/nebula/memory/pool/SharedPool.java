package io.nebula.memory.pool;

import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A thread-safe pool: lock-free allocation and deallocation, a lock for growth, reset and close.
 *
 * <p>The free list links blocks by 32-bit <em>block number</em>, {@code chunk << indexBits | index in chunk}: the
 * head ({@link #head}) holds a version in its high 32 bits above the number of the first free block (or
 * {@link #NO_NUMBER}) in its low 32 bits, and each free block holds the number of the next in its first 8 bytes.
 * Every push and pop is one compare-and-set on the head that also moves the version on, so a pop that read a stale
 * link fails instead of installing it (the ABA problem). Blocks never handed out lie past {@link #fresh}, a block
 * number advanced by compare-and-set. The allocated bits are set and cleared by atomic or and and; the count in use
 * by atomic add. The chunk table is replaced with release semantics and read with acquire.
 *
 * <p>Scopes: each thread's open scopes and the blocks it took in them are in its own {@link ScopeLog}, held by
 * {@link #logs}. {@link #openScopes} counts the open scopes of every thread; the allocation paths consult a log only
 * while it is not zero, so a pool that never opens a scope reads one field more per call. Scope ids come from
 * ranges each log reserves from {@link #lastScopeId}, so they are unique without a shared counter per scope. A
 * block's scope tag is changed by compare-and-set: a scope's close claims each of its blocks by changing the tag
 * from its own id to {@link #RELEASING}, frees it, then sets the tag to 0 before the block goes back on the free
 * list; a hand deallocation claims by changing a non-zero tag to 0, and gets
 * {@link io.nebula.memory.ErrorCode#DOUBLE_FREE} if it finds {@link #RELEASING}. So exactly one of them gives the
 * block back. {@link #reset()} discards every thread's
 * log by moving {@link #epoch} on; each log notices at its thread's next use.
 */
final class SharedPool extends PoolAllocator {

    /** The low half of the head, and of each link: a block number. */
    private static final long NUMBER_MASK = 0xFFFF_FFFFL;
    /** The block number that ends the free list; no block has it. */
    private static final long NO_NUMBER = NUMBER_MASK;
    /** One step of the version in the high half of the head. */
    private static final long VERSION_ONE = 1L << 32;
    /** The scope tag of a block that its scope is giving back; no scope has this id. */
    private static final long RELEASING = -1;
    /** How many scope ids a thread reserves at once, so that opening a scope rarely touches the shared counter. */
    private static final long IDS_PER_RESERVATION = 1 << 16;

    private static final VarHandle HEAD;
    private static final VarHandle FRESH;
    private static final VarHandle LIVE;
    private static final VarHandle CHUNKS;
    private static final VarHandle OPEN_SCOPES;
    private static final VarHandle SCOPE_IDS;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(SharedPool.class, "head", long.class);
            FRESH = lookup.findVarHandle(SharedPool.class, "fresh", long.class);
            LIVE = lookup.findVarHandle(SharedPool.class, "liveBlocks", long.class);
            CHUNKS = lookup.findVarHandle(SharedPool.class, "chunks", ChunkTable.class);
            OPEN_SCOPES = lookup.findVarHandle(SharedPool.class, "openScopes", int.class);
            SCOPE_IDS = lookup.findVarHandle(SharedPool.class, "lastScopeId", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Lifecycle.Shared life;
    /** The bits of a block number that hold the block's index in its chunk. */
    private final int indexBits;
    private final long indexMask;
    /** Each thread's scopes on this pool. */
    private final ThreadLocal<ScopeLog> logs = new ThreadLocal<>();

    /** Through {@link #CHUNKS}: the chunks. */
    private ChunkTable chunks;
    /** Through {@link #LIVE}: blocks in use. */
    private long liveBlocks;
    /** Through {@link #HEAD}: the version, and the number of the first free block. Each free block holds the next. */
    private long head = NO_NUMBER;
    /**
     * Through {@link #FRESH}: the number of the next never-used block. Its chunk may not exist yet: then every block
     * is handed out or free, and the next chunk added starts there.
     */
    private long fresh;
    /** The scopes open on every thread; written through {@link #OPEN_SCOPES}. */
    private volatile int openScopes;
    /**
     * Through {@link #SCOPE_IDS}: the last scope id reserved by any thread. Each thread's log reserves ids
     * {@link #IDS_PER_RESERVATION} at a time, so ids are unique over the pool's life and never 0.
     */
    private long lastScopeId;
    /** How many times the pool was reset: a log of an older epoch was discarded. Written under the lock. */
    private volatile int epoch;

    SharedPool(PoolShape shape, PoolConfig config) {
        Lifecycle.Shared life = Lifecycle.shared(config.trackStats(), config.leakPolicy());
        int indexBits = 64 - Long.numberOfLeadingZeros(shape.chunkBlocks() - 1L);
        super(shape, config, life, (int) Math.min(Handles.MAX_CHUNKS, NUMBER_MASK >>> indexBits));
        this.life = life;
        this.indexBits = indexBits;
        this.indexMask = (1L << indexBits) - 1;
        CHUNKS.setRelease(this, PoolChunks.first(this));
        life.startTracking(this);
    }

    @Override
    public long allocateHandle() {
        long handle = take(blockSize, blockAlignment);
        if (checked) {
            checkedBlocks.handedOut(handle);
        }
        if (openScopes != 0) {
            inScope(handle, blockSize);
        }
        return handle;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (!fits(byteSize, byteAlignment)) {
            life.checkNotClosed(this);
            throw invalidRequest(byteSize, byteAlignment);
        }
        if (checked) {
            return allocateChecked(byteSize, byteAlignment);
        }
        long handle = take(byteSize, byteAlignment);
        MemorySegment segment = table().segments[Handles.chunk(handle)].asSlice(Handles.offset(handle), byteSize);
        if (openScopes != 0) {
            inScope(handle, byteSize);
        }
        return segment;
    }

    /** Checked mode: the block's own segment is reserved first, so that a refusal leaves the pool as it was. */
    private MemorySegment allocateChecked(long byteSize, long byteAlignment) {
        life.checkNotClosed(this);
        CheckedBlocks.Reservation reservation = checkedBlocks.reserve(byteSize);
        long handle;
        try {
            handle = take(byteSize, byteAlignment);
        } catch (RuntimeException e) {
            reservation.arena().close();
            throw e;
        }
        MemorySegment segment = checkedBlocks.handOut(handle, reservation);
        if (openScopes != 0) {
            inScope(handle, byteSize);
        }
        return segment;
    }

    /** Hands out a block, popping the free list or else advancing the frontier, and adding a chunk when neither can. */
    private long take(long byteSize, long byteAlignment) {
        life.checkNotClosed(this);
        long handle;
        while ((handle = pop()) < 0 && (handle = takeFresh()) < 0) {
            grow(byteSize, byteAlignment);
        }
        ChunkTable table = table();
        int chunk = Handles.chunk(handle);
        long offset = Handles.offset(handle);
        long granule = offset >>> granuleShift;
        long before = (long) LONGS.getAndBitwiseOr(table.allocated[chunk], (int) (granule >>> 6), 1L << granule);
        if ((before & 1L << granule) != 0) {
            failed();
            throw Events.allocationError(PoolErrors.corruptFreeList(this, handle, "in use"));
        }
        long live = (long) LIVE.getAndAdd(this, 1L) + 1;
        if (fill) {
            fillBlock(table.segments[chunk], offset);
        } else if (zeroOnRelease) {
            table.segments[chunk].set(ValueLayout.JAVA_LONG, offset, 0L);   // the free-list link
        }
        if (stats != null) {
            stats.allocated(stride, live * stride);
        }
        return handle;
    }

    /** Pops the free list: the handle of a block, or -1 when it is empty. */
    private long pop() {
        long top = (long) HEAD.getVolatile(this);
        while ((top & NUMBER_MASK) != NO_NUMBER) {
            long number = top & NUMBER_MASK;
            int chunk = (int) (number >>> indexBits);
            long offset = (number & indexMask) * stride;
            // The table is read after the head: it has the chunk of every block on the list.
            // Another thread may pop this block and write into it before the compare-and-set below: the link read
            // here is then stale, and the compare-and-set fails because the version has moved on.
            long link = link(chunk, offset, top);
            long witness = (long) HEAD.compareAndExchange(this, top,
                    (top + VERSION_ONE) & ~NUMBER_MASK | (link & NUMBER_MASK));
            if (witness == top) {
                return Handles.of(chunk, offset);
            }
            top = witness;
        }
        return -1;
    }

    /**
     * Reads the link of the free list's first block. A number that names no block of a chunk can only come from a
     * write into a freed block (its first 8 bytes hold the link): refused, as is one that names a block in use
     * (by its allocated bit, in {@link #take}).
     */
    private long link(int chunk, long offset, long top) {
        try {
            ChunkTable table = table();
            if (chunk >= table.count) {
                throw new IndexOutOfBoundsException(chunk);
            }
            return table.segments[chunk].get(ValueLayout.JAVA_LONG, offset);
        } catch (IndexOutOfBoundsException outside) {
            if ((long) HEAD.getVolatile(this) != top) {
                return NO_NUMBER;   // read while another thread moved the head: the compare-and-set fails
            }
            failed();
            throw Events.allocationError(PoolErrors.corruptFreeList(this, Handles.of(chunk, offset),
                    "outside every chunk"));
        }
    }

    /** Pushes a block onto the free list. */
    private void push(MemorySegment chunk, long offset, long number) {
        long top = (long) HEAD.getVolatile(this);
        while (true) {
            chunk.set(ValueLayout.JAVA_LONG, offset, top & NUMBER_MASK);
            long witness = (long) HEAD.compareAndExchange(this, top, (top + VERSION_ONE) & ~NUMBER_MASK | number);
            if (witness == top) {
                return;
            }
            top = witness;
        }
    }

    /** Takes the next never-used block: its handle, or -1 when the frontier has passed the last chunk. */
    private long takeFresh() {
        long number = (long) FRESH.getVolatile(this);
        while (true) {
            ChunkTable table = table();
            int chunk = (int) (number >>> indexBits);
            if (chunk >= table.count) {
                return -1;
            }
            long offset = (number & indexMask) * stride;
            boolean inChunk = offset < table.limits[chunk];
            long next = inChunk ? number + 1 : (long) (chunk + 1) << indexBits;
            long witness = (long) FRESH.compareAndExchange(this, number, next);
            if (witness != number) {
                number = witness;
            } else if (inChunk) {
                return Handles.of(chunk, offset);
            } else {
                number = next;
            }
        }
    }

    /** Adds a chunk if the pool is still full once the lock is held, or explains why it cannot. */
    private void grow(long byteSize, long byteAlignment) {
        ChunkTable table;
        ChunkTable grown;
        life.lock();
        try {
            life.checkNotClosed(this);
            table = table();
            long number = (long) FRESH.getVolatile(this);
            int chunk = (int) (number >>> indexBits);
            boolean frontierLeft = chunk < table.count - 1
                    || (chunk == table.count - 1 && (number & indexMask) * stride < table.limits[chunk]);
            if (frontierLeft || ((long) HEAD.getVolatile(this) & NUMBER_MASK) != NO_NUMBER) {
                return;
            }
            grown = PoolChunks.grow(this, table, byteSize, byteAlignment);
            CHUNKS.setRelease(this, grown);
        } finally {
            life.unlock();
        }
        PoolChunks.grew(this, table, grown);
    }

    /** Records a block just taken in the calling thread's innermost scope, if it has one. */
    private void inScope(long handle, long byteSize) {
        ScopeLog log = logs.get();
        if (log == null || log.depth() == 0 || log.epoch != epoch) {
            return;
        }
        long[] tags = table().tags[Handles.chunk(handle)];
        LONGS.setRelease(tags, indexOf(Handles.offset(handle)), log.innermostId());
        log.add(handle, byteSize);
    }

    @Override
    public void deallocateHandle(long handle) {
        life.checkNotClosed(this);
        ChunkTable table = table();
        if (Handles.chunkOf(handle) >= table.count) {
            throw Events.allocationError(PoolErrors.unknownChunk(this, table, handle));
        }
        if (checked) {
            checkedBlocks.release(table, Handles.chunk(handle), Handles.offset(handle), blockSize, null);
            return;
        }
        release(table, Handles.chunk(handle), Handles.offset(handle), blockSize, null);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        life.checkNotClosed(this);
        if (checked) {
            checkedBlocks.deallocate(segment);
            return;
        }
        ChunkTable table = table();
        int chunk = table.chunkContaining(segment.address());
        if (chunk < 0 || !segment.isNative() || segment.byteSize() > blockSize) {
            throw Events.allocationError(PoolErrors.foreignSegment(this, table, segment, chunk));
        }
        release(table, chunk, segment.address() - table.bases[chunk], segment.byteSize(), segment);
    }

    @Override
    void release(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        if (offset >= table.limits[chunk] || (offset & ((1L << granuleShift) - 1)) != 0) {
            throw Events.allocationError(PoolErrors.releaseFailure(this, table, chunk, offset, segment,
                    handedOutSinceReset(chunk, offset)));
        }
        if (openScopes != 0) {
            untag(table, chunk, offset, segment);
        }
        free(table, chunk, offset, byteSize, segment);
    }

    @Override
    void untag(ChunkTable table, int chunk, long offset, MemorySegment segment) {
        long[][] allTags = table().tags;   // the latest table, read after the count of open scopes
        if (allTags == null) {
            return;
        }
        long[] tags = allTags[chunk];
        int index = indexOf(offset);
        if (offset != index * stride) {
            return;   // not a block start: the allocated bit refuses it next, as FOREIGN_SEGMENT
        }
        long tag = (long) LONGS.getVolatile(tags, index);
        while (tag != 0) {
            if (tag == RELEASING) {
                throw Events.allocationError(PoolErrors.givenBackByItsScope(this, chunk, offset, segment));
            }
            long witness = (long) LONGS.compareAndExchange(tags, index, tag, 0L);
            if (witness == tag) {
                return;
            }
            tag = witness;
        }
    }

    @Override
    void free(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        clearAllocatedBit(table, chunk, offset, segment);
        recycle(table, chunk, offset, byteSize);
    }

    /** Clears a block's allocated bit, or throws {@link io.nebula.memory.ErrorCode#DOUBLE_FREE} if it is clear. */
    private void clearAllocatedBit(ChunkTable table, int chunk, long offset, MemorySegment segment) {
        long granule = offset >>> granuleShift;
        long bit = 1L << granule;
        // Of two threads giving back the same block, exactly one sees the bit set; the other changes nothing.
        long before = (long) LONGS.getAndBitwiseAnd(table.allocated[chunk], (int) (granule >>> 6), ~bit);
        if ((before & bit) == 0) {
            throw Events.allocationError(PoolErrors.releaseFailure(this, table, chunk, offset, segment,
                    handedOutSinceReset(chunk, offset)));
        }
    }

    /** Counts a block whose bit was just cleared as free, and pushes it onto the free list. */
    private void recycle(ChunkTable table, int chunk, long offset, long byteSize) {
        LIVE.getAndAdd(this, -1L);
        if (zeroOnRelease) {
            zeroBlock(table.segments[chunk], offset);
        }
        push(table.segments[chunk], offset, (long) chunk << indexBits | indexOf(offset));
        if (stats != null) {
            stats.deallocated(stride);
        }
    }

    @Override
    public Scope scope() {
        life.checkNotClosed(this);
        if (table().tags == null) {
            createTags();
        }
        ScopeLog log = logs.get();
        int current = epoch;
        if (log == null) {
            log = new ScopeLog(current);
            logs.set(log);
        } else if (log.epoch != current) {
            log.discard(current);
        }
        long id = log.takeId();
        if (id == 0) {
            long first = (long) SCOPE_IDS.getAndAdd(this, IDS_PER_RESERVATION) + 1;
            log.reserveIds(first, first + IDS_PER_RESERVATION);
            id = log.takeId();
        }
        PoolScope scope = log.open(this, id);
        OPEN_SCOPES.getAndAdd(this, 1);
        return scope;
    }

    /** Gives every chunk its scope tags, once; later chunks get theirs when added. */
    private void createTags() {
        life.lock();
        try {
            CHUNKS.setRelease(this, table().withTags(stride));
        } finally {
            life.unlock();
        }
    }

    @Override
    void closeScope(ScopeLog log, int depth, long id) {
        life.checkNotClosed(this);
        if (log.owner != Thread.currentThread()) {
            throw Events.allocationError(PoolErrors.scopeOfAnotherThread(this, depth));
        }
        int current = epoch;
        if (log.epoch != current) {
            log.discard(current);
        }
        log.checkInnermost(this, depth, id);
        giveBackInnermost(log, id);
        log.pop();
        OPEN_SCOPES.getAndAdd(this, -1);
    }

    /**
     * Gives back, newest first, the blocks of the log's innermost scope whose tag it can claim. A method of its own,
     * so that {@link #closeScope} stays small.
     */
    private void giveBackInnermost(ScopeLog log, long id) {
        ChunkTable table = table();
        for (int i = log.end() - 2; i >= log.innermostMark(); i -= 2) {
            long handle = log.handleAt(i);
            int chunk = Handles.chunk(handle);
            long offset = Handles.offset(handle);
            long[] tags = table.tags[chunk];
            int index = indexOf(offset);
            if (!LONGS.compareAndSet(tags, index, id, RELEASING)) {
                continue;   // given back by hand since, and maybe handed out again
            }
            try {
                if (checked) {
                    checkedBlocks.releaseForScope(handle);
                }
                clearAllocatedBit(table, chunk, offset, null);
            } catch (RuntimeException | Error e) {
                LONGS.setVolatile(tags, index, id);   // the scope stays open and still holds the block
                throw e;
            }
            LONGS.setRelease(tags, index, 0L);   // before the block is on the free list again
            recycle(table, chunk, offset, log.byteSizeAt(i));
        }
    }

    @Override
    public void reset() {
        long released;
        life.lock();
        try {
            life.checkNotClosed(this);
            if (checked) {
                checkedBlocks.releaseAll();
            }
            ChunkTable table = table();
            long number = (long) FRESH.getVolatile(this);
            int frontierAt = (int) (number >>> indexBits);
            for (int chunk = 0; chunk <= frontierAt && chunk < table.count; chunk++) {
                PoolChunks.clear(this, table, chunk, chunk < frontierAt ? table.limits[chunk]
                        : Math.min(table.limits[chunk], (number & indexMask) * stride));
            }
            long top = (long) HEAD.getVolatile(this);
            HEAD.setVolatile(this, (top + VERSION_ONE) & ~NUMBER_MASK | NO_NUMBER);
            FRESH.setVolatile(this, 0L);
            released = (long) LIVE.getAndSet(this, 0L) * stride;
            epoch = epoch + 1;
            openScopes = 0;
        } finally {
            life.unlock();
        }
        PoolChunks.wasReset(this, released);
    }

    @Override
    ChunkTable table() {
        return (ChunkTable) CHUNKS.getAcquire(this);
    }

    @Override
    long live() {
        return (long) LIVE.getVolatile(this);
    }

    @Override
    long openScopes() {
        return openScopes;
    }

    @Override
    boolean handedOutSinceReset(int chunk, long offset) {
        return ((long) chunk << indexBits | offset / stride) < (long) FRESH.getVolatile(this);
    }

    @Override
    String chunkLimitNote() {
        return " (a thread-safe pool numbers its blocks in 32 bits, " + indexBits + " of them for the index in a"
                + " chunk)";
    }
}
