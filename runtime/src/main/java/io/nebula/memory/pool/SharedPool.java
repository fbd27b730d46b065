package io.nebula.memory.pool;

import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * A thread-safe pool: lock-free allocation and deallocation, a lock for growth, reset and close.
 *
 * <p>Caches: in front of the shared free list sit {@link #magazines}, a power of two of them (twice the processors,
 * at most {@link #MAX_MAGAZINES}), which a thread selects by its id. Each is a short stack of block handles on the
 * Java heap, holding at most {@link #magazineBlocks} blocks; a thread owns it for the length of one call by a
 * compare-and-set ({@link Magazine}). An allocation takes the handle last put in the thread's magazine; an empty
 * magazine first takes a chain of up to {@link #refillBlocks} blocks off the shared list, or a run of never-used
 * blocks past the frontier, with one compare-and-set. A deallocation puts the block last in the magazine of the
 * thread that gives it back, whichever thread took it; a full magazine first links all its blocks through the blocks
 * and moves them to the shared list with one compare-and-set. Nothing of a magazine is in the blocks it holds, so a
 * write into one of them cannot reach it. A thread that finds its magazine owned by another uses the shared list
 * instead. The magazines belong to the pool, not to threads, so a thread that ends strands nothing, and virtual
 * threads share them like platform threads. Before the pool grows or reports that it is full, the lock holder
 * moves every magazine's blocks to the shared list ({@link #drainMagazines()}); {@link #reset()} empties them.
 * {@link #outBlocks} counts the blocks off the shared list and before the frontier; the blocks in use are that
 * less the blocks the magazines and thread caches hold ({@link #live()}), so a cached block counts as free.
 *
 * <p>Thread caches: {@link #threadCache()} gives a platform thread a {@link ThreadCache}, a cache laid out as a
 * magazine that the thread owns for good, so that it takes and puts blocks with plain loads and stores; refills and
 * flushes are the same compare-and-sets on the shared list as a magazine's. Since no other thread may touch it while
 * its thread lives, the lock holder cannot drain it: {@link #cacheRegistry} lists the thread caches, so that their
 * blocks count as free, {@link #reset()} empties them, a close closes them, and the caches of threads that have ended
 * are flushed to the shared list under the lock ({@link #reclaimEndedThreadCaches()}) before the pool grows or reports
 * that it is full. A virtual thread's cache holds no blocks and passes its calls to the pool.
 *
 * <p>The free list links blocks by 32-bit <em>block number</em>, {@code chunk << indexBits | index in chunk}: the
 * head ({@link #head}) holds a version in its high 32 bits above the number of the first free block (or
 * {@link #NO_NUMBER}) in its low 32 bits, and each free block holds the number of the next in its first 8 bytes.
 * Every push and pop is one compare-and-set on the head that also moves the version on, so a pop that read a stale
 * link fails instead of installing it (the ABA problem); a refill walks the links of a chain before its
 * compare-and-set, which fails for the same reason when the list changed during the walk. Blocks never handed out
 * lie past {@link #fresh}, a block number advanced by compare-and-set. Each block has a state byte
 * ({@link ChunkTable#states}) instead of an allocated bit: set by a plain store when the block is handed out (the
 * taker alone holds it then) and cleared by compare-and-set when it is given back, so that of two threads giving it
 * back exactly one succeeds, wherever the block comes from or goes: a block in a magazine is free, so giving it back
 * again is a double free. The chunk table is replaced with release semantics and read with acquire.
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
    /** The most blocks a magazine holds. */
    static final int MAX_MAGAZINE_BLOCKS = 64;
    /** The most magazines a pool has. */
    static final int MAX_MAGAZINES = 64;
    /** Block states on one cache line: a refill from the frontier takes no more than the rest of a line. */
    private static final long STATES_PER_LINE = 64;

    private static final VarHandle HEAD;
    private static final VarHandle FRESH;
    private static final VarHandle OUT;
    private static final VarHandle CHUNKS;
    private static final VarHandle OPEN_SCOPES;
    private static final VarHandle SCOPE_IDS;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);
    /** A block's state: free (on a list, in a magazine or never handed out). */
    private static final byte FREE = 0;
    /** A block's state: handed out. */
    private static final byte IN_USE = 1;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(SharedPool.class, "head", long.class);
            FRESH = lookup.findVarHandle(SharedPool.class, "fresh", long.class);
            OUT = lookup.findVarHandle(SharedPool.class, "outBlocks", long.class);
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
    /**
     * The caches of free blocks, a power of two of them, each thread using the one its id selects; {@code null} when
     * the first chunk is too small to share out ({@link #magazines(int, int)}).
     */
    private final Magazine[] magazines;
    private final int magazineMask;
    /** The most blocks one magazine holds: a free into a full magazine first moves them all to the free list. */
    private final int magazineBlocks;
    /** The blocks an empty magazine takes at once, from the free list or else the frontier. */
    private final int refillBlocks;
    /**
     * Taking a block only moves it out of a magazine: there are magazines, and no checked mode, fill pattern,
     * zeroing or statistics.
     */
    private final boolean plainTake;

    /** Through {@link #CHUNKS}: the chunks. */
    private ChunkTable chunks;
    /**
     * Through {@link #OUT}: the blocks off the free list and before the frontier, so handed out or held by a
     * magazine. Moves by a whole batch when a magazine refills or empties. Moved up after blocks leave the free list
     * and down before they go back onto it, so that it never counts more blocks than are off the list: a block
     * counted back only after its push could be taken and counted again meanwhile, and a full pool then reported
     * one block more in use than it has.
     */
    private long outBlocks;
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
    /**
     * Set under the lock while the magazines are drained before the pool grows or reports that it is full: empty
     * magazines do not refill meanwhile, so that the free blocks collected stay on the free list.
     */
    private volatile boolean draining;
    /** How many times the pool was reset: a log of an older epoch was discarded. Written under the lock. */
    private volatile int epoch;
    /**
     * The thread caches that hold blocks of their own (platform threads'): where {@link #threadCache()} finds a
     * thread's cache again, and what the count of blocks in use, reset and close go through; the blocks of a cache
     * whose thread ended go back to the free list. Replaced, not changed, under the lock. Not a {@link ThreadLocal}:
     * a thread's map would keep each cache, and through it the pool's heap, for as long as the thread lives, and
     * the threads of a thread pool live for long.
     */
    private volatile ThreadCache[] cacheRegistry = new ThreadCache[0];

    SharedPool(PoolShape shape, PoolConfig config) {
        Lifecycle.Shared life = Lifecycle.shared(config.trackStats(), config.leakPolicy());
        int indexBits = 64 - Long.numberOfLeadingZeros(shape.chunkBlocks() - 1L);
        super(shape, config, life, (int) Math.min(Handles.MAX_CHUNKS, NUMBER_MASK >>> indexBits));
        this.life = life;
        this.indexBits = indexBits;
        this.indexMask = (1L << indexBits) - 1;
        int stripes = stripes(Runtime.getRuntime().availableProcessors());
        int perMagazine = (int) Math.min(MAX_MAGAZINE_BLOCKS, shape.chunkBlocks() / (2L * stripes));
        this.magazines = perMagazine < 2 ? null : magazines(stripes, perMagazine);
        this.magazineMask = stripes - 1;
        this.magazineBlocks = perMagazine;
        this.refillBlocks = perMagazine / 2;
        this.plainTake = magazines != null && !checked && !fill && !zeroOnRelease && stats == null;
        CHUNKS.setRelease(this, PoolChunks.first(this));
        life.startTracking(this);
    }

    /** The number of magazines: the power of two at or above twice the processors, at most {@link #MAX_MAGAZINES}. */
    static int stripes(int processors) {
        int wanted = Math.min(MAX_MAGAZINES, Math.max(1, processors) * 2);
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    private static Magazine[] magazines(int stripes, int perMagazine) {
        Magazine[] magazines = new Magazine[stripes];
        for (int i = 0; i < stripes; i++) {
            magazines[i] = new Magazine(perMagazine);
        }
        return magazines;
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

    /**
     * The common case first: a block from the calling thread's magazine, with nothing else to do but log it in an open
     * scope. That path is short enough for a caller to inline whole, so that the segment it returns can live in the
     * caller's registers: had the whole of {@link #take} been compiled into this method, the caller's compilation
     * would find it too big to inline, and every segment would be a heap object.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        long handle = -1;
        if (plainTake && fits(byteSize, byteAlignment)) {
            life.checkNotClosed(this);
            handle = takeCached(false);
        }
        if (handle < 0) {
            return allocateSlowly(byteSize, byteAlignment);
        }
        ChunkTable table = table();   // read after the block was taken: it has the block's chunk
        markInUse(table, handle);
        if (openScopes != 0) {
            inScope(handle, byteSize);
        }
        return table.segments[Handles.chunk(handle)].asSlice(Handles.offset(handle), byteSize);
    }

    /**
     * {@link #allocate(long, long)} beyond its common case: an invalid request, checked mode, a fill pattern, zeroing
     * or statistics, or a magazine that is empty or owned by another thread.
     */
    private MemorySegment allocateSlowly(long byteSize, long byteAlignment) {
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

    /**
     * Hands out a block: from the calling thread's magazine, or else by popping the free list or advancing the
     * frontier, adding a chunk when neither can.
     */
    private long take(long byteSize, long byteAlignment) {
        life.checkNotClosed(this);
        long handle = magazines == null ? -1 : takeCached(true);
        if (handle < 0) {
            handle = takeShared(byteSize, byteAlignment);
        }
        return handOut(handle);
    }

    /**
     * Takes a block past every cache: pops the free list, or else advances the frontier, adding a chunk when neither
     * can, and counts it. Returns its handle.
     */
    long takeShared(long byteSize, long byteAlignment) {
        long handle;
        while ((handle = pop()) < 0 && (handle = takeFresh()) < 0) {
            handle = grow(byteSize, byteAlignment);
            if (handle >= 0) {
                break;   // else a chunk was added: take from it, unless other threads are first
            }
        }
        OUT.getAndAdd(this, 1L);
        return handle;
    }

    /**
     * Hands out a block just taken, from a cache or the shared list: marks it in use, writes the fill pattern or
     * zeroes its link as configured, and counts it in the statistics. Returns {@code handle}.
     */
    long handOut(long handle) {
        ChunkTable table = table();
        int chunk = Handles.chunk(handle);
        long offset = Handles.offset(handle);
        markInUse(table, handle);
        if (fill) {
            fillBlock(table.segments[chunk], offset);
        } else if (zeroOnRelease) {
            table.segments[chunk].set(ValueLayout.JAVA_LONG, offset, 0L);   // the free-list link
        }
        if (stats != null) {
            stats.allocated(stride, live() * stride);
        }
        return handle;
    }

    /**
     * Sets the state of a block just taken to in use, or refuses a block whose state is not free: its number came
     * from a link written into a block after it was given back.
     */
    void markInUse(ChunkTable table, long handle) {
        markInUse(table.states[Handles.chunk(handle)], handle);
    }

    /** {@link #markInUse(ChunkTable, long)} with the states of the block's chunk at hand. */
    void markInUse(byte[] states, long handle) {
        int index = ChunkTable.STATE_PADDING + indexOf(Handles.offset(handle));
        if (states[index] != FREE) {
            failed();
            throw Events.allocationError(PoolErrors.corruptFreeList(this, handle, "in use"));
        }
        // A plain store: this thread alone took the block, so no other thread writes its byte until it is given
        // back, and whoever gives it back learns of the block from this thread, after this store.
        states[index] = IN_USE;
    }

    /** The calling thread's magazine. Virtual threads share the magazines like platform threads: by thread id. */
    private Magazine magazine() {
        return magazines[(int) Thread.currentThread().threadId() & magazineMask];
    }

    /**
     * Takes the last block put in the calling thread's magazine, refilling it first when empty and {@code mayRefill}:
     * the block's handle, or -1 when another thread owns the magazine, or it is empty and was not refilled (neither
     * the free list nor the frontier has a block). The short path passes a constant {@code false}, so that its
     * compiled code holds no refill.
     */
    private long takeCached(boolean mayRefill) {
        Magazine magazine = magazine();
        if (!magazine.tryAcquire()) {
            return -1;
        }
        try {
            if (magazine.count == 0 && (!mayRefill || (magazine.count = refill(magazine.handles)) == 0)) {
                return -1;
            }
            return takeLast(magazine);
        } finally {
            magazine.release();
        }
    }

    /**
     * Takes the handle last put in an owned magazine that holds one. The handles are on the Java heap, so a write into
     * a block the magazine holds cannot reach them.
     */
    private static long takeLast(Magazine magazine) {
        int count = (int) magazine.count - 1;
        long handle = magazine.handles[Magazine.FIRST + count];
        magazine.count = count;
        return handle;
    }

    /** Whether {@code number} names a block of a chunk of {@code table}. */
    private boolean inChunks(ChunkTable table, long number) {
        long chunk = number >>> indexBits;
        return chunk < table.count && (number & indexMask) * stride < table.limits[(int) chunk];
    }

    /**
     * Fills an empty cache's {@code handles} (a magazine's, or a thread cache's, laid out as {@link Magazine#handles})
     * with one compare-and-set: a chain of blocks from the free list, or else a run of blocks past the frontier.
     * Returns how many it holds now: 0 when both are empty, or while the lock holder drains the magazines.
     */
    int refill(long[] handles) {
        if (draining) {
            return 0;   // the lock holder is collecting free blocks to decide whether the pool is full
        }
        int taken = refillFromList(handles);
        if (taken < 0) {
            return 0;   // a broken list: pop() reports it
        }
        if (taken == 0) {
            taken = refillFresh(handles);
            if (taken == 0) {
                return 0;
            }
        }
        OUT.getAndAdd(this, (long) taken);
        return taken;
    }

    /**
     * Pops up to {@link #refillBlocks} blocks off the free list at once: walks their links from the head, then moves
     * the head past the last with one compare-and-set, which fails if any thread pushed or popped meanwhile (the
     * version), so that a walk through links that changed under it is never installed. The walk stops before a link
     * that names no free block: that link becomes the head, and {@link #pop()} reports it. Returns the blocks taken,
     * 0 when the list is empty, or -1 when its first block is not a free block (for {@link #pop()} to report).
     */
    private int refillFromList(long[] handles) {
        long top = (long) HEAD.getVolatile(this);
        while ((top & NUMBER_MASK) != NO_NUMBER) {
            ChunkTable table = table();   // read after the head: it has the chunk of every block on the list
            long first = top & NUMBER_MASK;
            if (!isFree(table, first)) {
                return -1;
            }
            // The walk writes the chain's handles into the cache, first block last so that it is taken first; they
            // count only once the compare-and-set has taken the chain.
            int end = Magazine.FIRST + refillBlocks;
            long last = first;
            int taken = 1;
            handles[end - 1] = handleOfBlock(first);
            long next = linkOf(table, last);
            while (taken < refillBlocks && next != NO_NUMBER && isFree(table, next)) {
                last = next;
                taken++;
                handles[end - taken] = handleOfBlock(last);
                next = linkOf(table, last);
            }
            long witness = (long) HEAD.compareAndExchange(this, top,
                    (top + VERSION_ONE) & ~NUMBER_MASK | (next & NUMBER_MASK));
            if (witness == top) {
                if (taken < refillBlocks) {
                    System.arraycopy(handles, end - taken, handles, Magazine.FIRST, taken);
                }
                return taken;
            }
            top = witness;
        }
        return 0;
    }

    /** The handle of the block of {@code number}, which names a block of a chunk. */
    private long handleOfBlock(long number) {
        return Handles.of((int) (number >>> indexBits), (number & indexMask) * stride);
    }

    /** The block number of the block of {@code handle}. */
    private long numberOf(long handle) {
        return numberOf(Handles.chunk(handle), Handles.offset(handle));
    }

    /** The block number of the block at {@code offset} in {@code chunk}. */
    private long numberOf(int chunk, long offset) {
        return (long) chunk << indexBits | indexOf(offset);
    }

    /** Whether {@code number} names a block of a chunk whose state is free (a racy read, for the walk). */
    private boolean isFree(ChunkTable table, long number) {
        if (!inChunks(table, number)) {
            return false;
        }
        return (byte) BYTES.getOpaque(table.states[(int) (number >>> indexBits)],
                ChunkTable.STATE_PADDING + (int) (number & indexMask)) == FREE;
    }

    /** The link held by the block of {@code number}, which names a block of a chunk of {@code table}. */
    private long linkOf(ChunkTable table, long number) {
        return table.segments[(int) (number >>> indexBits)].get(ValueLayout.JAVA_LONG, (number & indexMask) * stride);
    }

    /**
     * Takes never-used blocks of the frontier's chunk at once, by one compare-and-set on the frontier, and links them:
     * up to {@link #magazineBlocks}, and no further than the 64-block run of block states the frontier is in, so
     * that threads that fill their magazines from the frontier mark their blocks on different cache lines (an
     * array's elements are not aligned to lines, so two neighbouring runs may share one line at their edges).
     * Returns the blocks taken: 0 when the frontier has passed the last chunk.
     */
    private int refillFresh(long[] handles) {
        long number = (long) FRESH.getVolatile(this);
        while (true) {
            ChunkTable table = table();
            int chunk = (int) (number >>> indexBits);
            if (chunk >= table.count) {
                return 0;
            }
            long index = number & indexMask;
            long left = Math.min(magazineBlocks, table.limits[chunk] / stride - index);
            int taken = (int) Math.min(left, STATES_PER_LINE - (index & STATES_PER_LINE - 1));
            long next = taken > 0 ? number + taken : (long) (chunk + 1) << indexBits;
            long witness = (long) FRESH.compareAndExchange(this, number, next);
            if (witness != number) {
                number = witness;
            } else if (taken > 0) {
                for (int i = 0; i < taken; i++) {   // the lowest block last, so that it is taken first
                    handles[Magazine.FIRST + taken - 1 - i] = handleOfBlock(number + i);
                }
                return taken;
            } else {
                number = next;
            }
        }
    }

    /**
     * Puts a block just given back last in the calling thread's magazine, after moving every block of a full one to
     * the free list: {@code false} when another thread owns the magazine.
     */
    private boolean putCached(long handle) {
        Magazine magazine = magazine();
        if (!magazine.tryAcquire()) {
            return false;
        }
        try {
            int count = (int) magazine.count;
            if (count == magazineBlocks) {
                flush(magazine.handles, count, table());
                count = 0;
            }
            magazine.handles[Magazine.FIRST + count] = handle;
            magazine.count = count + 1;
        } finally {
            magazine.release();
        }
        return true;
    }

    /**
     * Moves the {@code count} blocks of a cache's {@code handles} (an owned magazine's, or a thread cache's) to the
     * free list with one compare-and-set: links them through the blocks, the last put in first, and the first put in
     * links to the list's head. The caller then counts its cache empty.
     */
    void flush(long[] handles, int count, ChunkTable table) {
        int first = Magazine.FIRST;
        for (int i = first + count - 1; i > first; i--) {
            long handle = handles[i];
            table.segments[Handles.chunk(handle)].set(ValueLayout.JAVA_LONG, Handles.offset(handle),
                    numberOf(handles[i - 1]));
        }
        long last = handles[first];
        OUT.getAndAdd(this, (long) -count);   // before the push, as in recycle()
        push(table.segments[Handles.chunk(last)], Handles.offset(last), numberOf(handles[first + count - 1]));
    }

    /**
     * Moves the blocks of every magazine to the free list, waiting for each magazine's owner: under the lock, before
     * the pool decides that it is full.
     */
    private void drainMagazines() {
        if (magazines == null) {
            return;
        }
        ChunkTable table = table();
        for (Magazine magazine : magazines) {
            magazine.acquire();
            try {
                if (magazine.count > 0) {
                    flush(magazine.handles, (int) magazine.count, table);
                    magazine.count = 0;
                }
            } finally {
                magazine.release();
            }
        }
    }

    /** Throws {@code CLOSED} once the pool is closed. */
    void lifecycleCheck() {
        life.checkNotClosed(this);
    }

    @Override
    public PoolAllocator threadCache() {
        life.checkNotClosed(this);
        Thread thread = Thread.currentThread();
        // A virtual thread's cache keeps no blocks: it takes from and gives back to the magazines, which virtual
        // threads share, so that ten thousand of them strand no blocks. Holding nothing, it need not be found again.
        if (magazines == null || thread.isVirtual()) {
            return new ThreadCache(this, thread, 0);
        }
        ThreadCache cache = registeredCache(thread);
        if (cache != null) {
            return cache;
        }
        life.lock();
        try {
            life.checkNotClosed(this);
            reclaimEndedThreadCaches();
            cache = new ThreadCache(this, thread, magazineBlocks);
            ThreadCache[] registry = cacheRegistry;
            ThreadCache[] grown = Arrays.copyOf(registry, registry.length + 1);
            grown[registry.length] = cache;
            cacheRegistry = grown;
            return cache;
        } finally {
            life.unlock();
        }
    }

    /** The cache of {@code thread} in the registry, or {@code null}: only the thread itself adds it. */
    private ThreadCache registeredCache(Thread thread) {
        for (ThreadCache cache : cacheRegistry) {
            if (cache.thread() == thread) {
                return cache;
            }
        }
        return null;
    }

    /**
     * Under the lock: moves the blocks of every thread cache whose thread has ended to the free list, and forgets the
     * cache. Finding the thread ended ({@link Thread#isAlive()}) orders every write the thread made to its cache
     * before this read of it.
     */
    private void reclaimEndedThreadCaches() {
        ThreadCache[] registry = cacheRegistry;
        int kept = 0;
        ThreadCache[] live = new ThreadCache[registry.length];
        ChunkTable table = table();
        for (ThreadCache cache : registry) {
            if (cache.thread().isAlive()) {
                live[kept++] = cache;
            } else if (cache.held() > 0) {
                cache.flush(table);
            }
        }
        if (kept < registry.length) {
            cacheRegistry = Arrays.copyOf(live, kept);
        }
    }

    @Override
    long blocksInThreadCaches() {
        long held = 0;
        for (ThreadCache cache : cacheRegistry) {
            held += cache.held();
        }
        return held;
    }

    /** Whether any magazine holds a block: only give-backs fill them while the lock holder drains them. */
    private boolean magazinesHoldBlocks() {
        if (magazines != null) {
            for (Magazine magazine : magazines) {
                if (magazine.held() > 0) {
                    return true;
                }
            }
        }
        return false;
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
     * (by its state, in {@link #take}).
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

    /**
     * Pushes a chain of blocks onto the free list: {@code number} is its first block, and the block at
     * {@code offset} in {@code chunk} its last (the first, for a single block), whose link this sets to the head.
     */
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

    /**
     * Under the lock: moves every magazine's blocks to the free list, with refills held off meanwhile, and takes a
     * block from the free list or the frontier; only when both are still empty, adds a chunk, or explains why it
     * cannot. Returns the block's handle, or -1 after adding a chunk (the caller takes from it as from the rest).
     */
    private long grow(long byteSize, long byteAlignment) {
        ChunkTable table;
        ChunkTable grown;
        life.lock();
        try {
            life.checkNotClosed(this);
            draining = true;
            try {
                reclaimEndedThreadCaches();
                // Another thread may give a block back into a magazine this thread has already drained: drain
                // again until a round finds every magazine empty, so that a full pool means that no magazine held
                // a free block at the last look. A further round follows a give-back only.
                do {
                    drainMagazines();
                    long handle = pop();
                    if (handle < 0) {
                        handle = takeFresh();
                    }
                    if (handle >= 0) {
                        return handle;
                    }
                } while (magazinesHoldBlocks());
            } finally {
                draining = false;
            }
            table = table();
            grown = PoolChunks.grow(this, table, byteSize, byteAlignment);
            CHUNKS.setRelease(this, grown);
        } finally {
            life.unlock();
        }
        PoolChunks.grew(this, table, grown);
        return -1;
    }

    /** Records a block just taken in the calling thread's innermost scope, if it has one. */
    void inScope(long handle, long byteSize) {
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
        releaseSegment(table(), segment);
    }

    @Override
    void release(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        claim(this, table, chunk, offset, segment);
        free(table, chunk, offset, byteSize, segment);
    }

    /**
     * The checks and scope bookkeeping of a give-back through {@code via} (this pool, or a thread's cache of it), before
     * the free: refuses an offset past the chunk's blocks, and claims the block from the scope that took it, if any.
     */
    void claim(PoolAllocator via, ChunkTable table, int chunk, long offset, MemorySegment segment) {
        if (offset >= table.limits[chunk]) {
            throw Events.allocationError(PoolErrors.releaseFailure(via, table, chunk, offset, segment,
                    handedOutSinceReset(chunk, offset)));
        }
        if (openScopes != 0) {
            untag(table, chunk, offset, segment);
        }
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
            return;   // not a block start: markFree refuses it next, as FOREIGN_SEGMENT
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
        markFree(table, chunk, offset, segment);
        recycle(table, chunk, offset, byteSize);
    }

    /**
     * Marks a block free, or throws {@link io.nebula.memory.ErrorCode#DOUBLE_FREE} if it is free already (or
     * {@link io.nebula.memory.ErrorCode#FOREIGN_SEGMENT} if {@code offset} is not a block start).
     */
    void markFree(ChunkTable table, int chunk, long offset, MemorySegment segment) {
        if (!tryMarkFree(table.states[chunk], offset)) {
            refuseRelease(table, chunk, offset, segment);
        }
    }

    /**
     * Marks the block at {@code offset} free in its chunk's {@code states}: {@code false}, changing nothing, when
     * {@code offset} is not a block start or the block is free already. Of two threads giving back the same block,
     * exactly one changes its state.
     */
    boolean tryMarkFree(byte[] states, long offset) {
        int index = indexOf(offset);
        return index * stride == offset
                && (byte) BYTES.compareAndExchange(states, ChunkTable.STATE_PADDING + index, IN_USE, FREE) == IN_USE;
    }

    /** Throws the error for a give-back that {@link #tryMarkFree} refused: a double free, or not a block start. */
    void refuseRelease(ChunkTable table, int chunk, long offset, MemorySegment segment) {
        throw Events.allocationError(PoolErrors.releaseFailure(this, table, chunk, offset, segment,
                handedOutSinceReset(chunk, offset)));
    }

    /**
     * Puts a block just marked free in the calling thread's magazine, or onto the free list when another
     * thread owns that magazine, and counts it.
     */
    private void recycle(ChunkTable table, int chunk, long offset, long byteSize) {
        if (zeroOnRelease) {
            zeroBlock(table.segments[chunk], offset);
        }
        if (magazines == null || !putCached(Handles.of(chunk, offset))) {
            OUT.getAndAdd(this, -1L);   // before the push: once on the list, another thread can take it and count it
            push(table.segments[chunk], offset, numberOf(chunk, offset));
        }
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
                markFree(table, chunk, offset, null);
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
            released = live() * stride;
            emptyMagazines();
            for (ThreadCache cache : cacheRegistry) {
                cache.empty();   // no other thread uses the pool meanwhile (see reset's contract)
            }
            long top = (long) HEAD.getVolatile(this);
            HEAD.setVolatile(this, (top + VERSION_ONE) & ~NUMBER_MASK | NO_NUMBER);
            FRESH.setVolatile(this, 0L);
            OUT.setVolatile(this, 0L);
            epoch = epoch + 1;
            openScopes = 0;
        } finally {
            life.unlock();
        }
        PoolChunks.wasReset(this, released);
    }

    /** Forgets the blocks of every magazine, waiting for each magazine's owner: a reset makes every block free. */
    private void emptyMagazines() {
        if (magazines == null) {
            return;
        }
        for (Magazine magazine : magazines) {
            magazine.acquire();
            magazine.count = 0;
            magazine.release();
        }
    }

    @Override
    ChunkTable table() {
        return (ChunkTable) CHUNKS.getAcquire(this);
    }

    /**
     * The blocks off the free list and before the frontier, less those the magazines hold. Exact while no other
     * thread allocates or gives back; meanwhile a value within the blocks in flight between a magazine and the free
     * list.
     */
    @Override
    long live() {
        long live = (long) OUT.getVolatile(this);
        if (magazines != null) {
            for (Magazine magazine : magazines) {
                live -= magazine.held();
            }
        }
        live -= blocksInThreadCaches();
        return Math.max(live, 0);
    }

    /**
     * Closes every thread cache: their plain flag, which their hot paths read instead of the lifecycle's. The
     * registry stays, so that the closed pool's counts still take the blocks the caches held as free.
     */
    @Override
    void closing() {
        for (ThreadCache cache : cacheRegistry) {
            cache.closed = true;
        }
    }

    @Override
    int threadCacheCount() {
        int holding = 0;
        for (ThreadCache cache : cacheRegistry) {
            if (cache.held() > 0) {
                holding++;
            }
        }
        return holding;
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
