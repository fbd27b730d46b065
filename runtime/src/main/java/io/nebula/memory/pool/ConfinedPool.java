package io.nebula.memory.pool;

import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A pool confined to the thread that created it: plain fields, no atomics, no lock.
 *
 * <p>The free list links blocks by <em>handle</em>: {@link #freeHead} is the handle of the first free block, or
 * {@link #NO_BLOCK}, and {@link #links} holds, per chunk and block, the handle of the next. The links live on the Java
 * heap, not in the freed blocks (where a thread-safe pool keeps them): a stale write into a freed block changes
 * nothing but the block, so the list needs no checks when it is followed, and taking or giving back a block makes
 * no segment access of its own. Blocks never handed out since creation or the last reset lie past a frontier
 * ({@link #frontierChunk}, {@link #frontier}) and are handed out in address order; creating the pool or adding a
 * chunk writes no links.
 *
 * <p>The same array tells a block in use: its entry holds {@link #IN_USE} from the moment it is handed out until it
 * is given back, when the entry becomes its free-list link. So taking a block reads its link and overwrites it in
 * place, and giving it back tests and overwrites the same entry: one array, no separate allocated bits (its chunk
 * table has no block states). Entries past the frontier are stale after a {@link #reset()}, which writes none of
 * them: a block is in use exactly when its entry is {@link #IN_USE} and it lies before the frontier.
 *
 * <p>Invariants, between calls: a block before the frontier is in use exactly when its entry is {@link #IN_USE},
 * and free exactly when it is on the free list; {@link #liveBlocks} counts the blocks in use; every block on the
 * free list lies before the frontier; chunks before {@link #frontierChunk} have no never-used blocks. Every call
 * checks the owner thread first ({@link Lifecycle.Confined#checkOwner}, which also covers a closed pool), then
 * validates, then mutates.
 *
 * <p>The segment paths' common case, a block of the first chunk taken from or given back to the free list with
 * nothing else to do but log it in an open scope, is decided by one test each ({@link #plainAllocate} and the free
 * list's first handle on taking; the first chunk's range and {@link #plainFree} on giving back) and reads the first
 * chunk's segment, address and links from fields of their own, which never change (the first chunk lives as long
 * as the pool); every other case, and every failed check, takes the general path, which checks again and names the
 * error.
 *
 * <p>Scopes ({@link ConfinedPoolScope}): {@link #openScopes} counts the open ones, so that the hot paths test one
 * int field; {@link #scopeLog} holds the handles of the blocks taken while a scope was open, innermost scope's last,
 * and each scope its mark in it. No scope tags: a logged block whose entry in {@link #links} is {@link #IN_USE} is
 * still the scope's.
 */
final class ConfinedPool extends PoolAllocator {

    /** The free-list link that ends the list. */
    private static final long NO_BLOCK = -1;
    /** The entry of {@link #links} of a block in use: neither a handle nor {@link #NO_BLOCK}. */
    private static final long IN_USE = -2;

    private final Lifecycle.Confined life;
    /** The lifecycle's owner while the pool is open, {@code null} once closed; written by the owner only. */
    private Thread owner;
    /** Taking a block only moves the free list: no fill pattern, no statistics. */
    private final boolean plainTake;
    /** Giving a block back only moves the free list: not checked, no zeroing, no statistics. */
    private final boolean plainFree;
    /** Taking a block for the segment path only moves the free list: not checked, no fill pattern, no statistics. */
    private final boolean plainAllocate;
    /** The first chunk's segment, its address, its size in bytes and its links: the same for the pool's life. */
    private final MemorySegment firstChunk;
    private final long firstBase;
    private final long firstLimit;
    private final long[] firstLinks;
    /**
     * Per chunk, per block (its index in the chunk): the handle of the next free block for the blocks on the list,
     * {@link #IN_USE} for the blocks handed out.
     */
    private long[][] links;

    private ChunkTable chunks;
    /** Blocks in use. */
    private long liveBlocks;
    /** The handle of the first free block, or {@link #NO_BLOCK}. Each free block holds the next. */
    private long freeHead = NO_BLOCK;
    /** The chunk whose never-used blocks are handed out next; earlier chunks have none left. */
    private int frontierChunk;
    /** The handle of the next never-used block, and the handle past the frontier chunk's end. */
    private long frontier;
    private long frontierEnd;

    /** The handles of the blocks taken while a scope was open, oldest first; {@code null} until the first scope. */
    private long[] scopeLog;
    /** The entries of {@link #scopeLog} in use: the open scopes' blocks. */
    private int logged;
    /** The scopes open. */
    private int openScopes;
    /** Moved on by every {@link #reset()}, which discards the open scopes: a scope of an older epoch cannot close. */
    private int scopeEpoch;

    ConfinedPool(PoolShape shape, PoolConfig config) {
        Lifecycle.Confined life = Lifecycle.confined(config.trackStats(), config.leakPolicy());
        super(shape, config, life, Handles.MAX_CHUNKS);
        this.life = life;
        this.owner = Thread.currentThread();
        this.plainTake = !fill && stats == null;
        this.plainAllocate = !checked && plainTake;
        this.plainFree = !checked && !zeroOnRelease && stats == null;
        this.chunks = PoolChunks.first(this);
        this.links = new long[chunks.segments.length][];
        addLinks(0);
        this.firstChunk = chunks.segments[0];
        this.firstBase = chunks.bases[0];
        this.firstLimit = chunks.limits[0];
        this.firstLinks = links[0];
        enterChunk(0);
        life.startTracking(this);
    }

    @Override
    public long allocateHandle() {
        checkOwner();
        long handle = take(blockSize);
        if (checked) {
            checkedBlocks.handedOut(handle);
        }
        if (openScopes != 0) {
            inScope(handle);
        }
        return handle;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkOwner();
        if (!fits(byteSize, byteAlignment)) {
            throw invalidRequest(byteSize, byteAlignment);
        }
        long handle = freeHead;
        if (Handles.chunkOf(handle) == 0 && plainAllocate) {   // a free block of the first chunk, nothing else to do
            long[] chunkLinks = firstLinks;
            int index = indexOf(handle);
            freeHead = chunkLinks[index];
            markInUse(chunkLinks, index);
            if (openScopes != 0) {
                inScope(handle);
            }
            return firstChunk.asSlice(handle, byteSize);
        }
        return allocateSlowly(byteSize);
    }

    /**
     * {@link #allocate(long, long)} beyond its common case: checked mode, a fill pattern or statistics, or a block
     * from the frontier or from a later chunk; the request already checked.
     */
    private MemorySegment allocateSlowly(long byteSize) {
        if (checked) {
            return allocateChecked(byteSize);
        }
        long handle = take(byteSize);
        MemorySegment segment = chunks.segments[Handles.chunk(handle)].asSlice(Handles.offset(handle), byteSize);
        if (openScopes != 0) {
            inScope(handle);
        }
        return segment;
    }

    /** Checked mode: the block's own segment is reserved first, so that a refusal leaves the pool as it was. */
    private MemorySegment allocateChecked(long byteSize) {
        CheckedBlocks.Reservation reservation = checkedBlocks.reserve(byteSize);
        long handle;
        try {
            handle = take(byteSize);
        } catch (RuntimeException e) {
            reservation.arena().close();
            throw e;
        }
        MemorySegment segment = checkedBlocks.handOut(handle, reservation);
        if (openScopes != 0) {
            inScope(handle);
        }
        return segment;
    }

    /** Hands out a block: the free list's first, or the frontier's, or the first of a chunk added now. */
    private long take(long byteSize) {
        long handle = freeHead;
        boolean fromList = handle >= 0;
        if (!fromList) {
            handle = frontier < frontierEnd ? frontier : takeFromNextChunk(byteSize);
            frontier = handle + stride;
        }
        int chunk = Handles.chunk(handle);
        long offset = Handles.offset(handle);
        long[] chunkLinks = links[chunk];
        int index = indexOf(offset);
        if (fromList) {
            freeHead = chunkLinks[index];
        }
        markInUse(chunkLinks, index);
        if (!plainTake) {
            prepare(chunks, chunk, offset);
        }
        return handle;
    }

    /** What {@link #take} does beyond the free list: the fill pattern and the statistics. */
    private void prepare(ChunkTable table, int chunk, long offset) {
        if (fill) {
            fillBlock(table.segments[chunk], offset);
        }
        if (stats != null) {
            stats.allocated(stride, liveBlocks * stride);
        }
    }

    /** Moves the frontier to the next chunk, adding one if growth allows, and takes its first block. */
    private long takeFromNextChunk(long byteSize) {
        if (frontierChunk + 1 == chunks.count) {
            ChunkTable before = chunks;
            chunks = PoolChunks.grow(this, before, byteSize, blockAlignment);
            addLinks(chunks.count - 1);
            PoolChunks.grew(this, before, chunks);
        }
        enterChunk(frontierChunk + 1);
        return frontier;
    }

    /** Makes room for the links of chunk {@code chunk}, just added: one per block. */
    private void addLinks(int chunk) {
        if (chunk >= links.length) {
            links = Arrays.copyOf(links, chunks.segments.length);
        }
        links[chunk] = new long[(int) (chunks.limits[chunk] / stride)];
    }

    private void enterChunk(int chunk) {
        frontierChunk = chunk;
        frontier = Handles.of(chunk, 0);
        frontierEnd = frontier + chunks.limits[chunk];
    }

    /** Records a block just taken in the innermost scope: one append to the log. */
    private void inScope(long handle) {
        long[] log = scopeLog;
        int n = logged;
        if (n == log.length) {
            log = Arrays.copyOf(log, n * 2);
            scopeLog = log;
        }
        log[n] = handle;
        logged = n + 1;
    }

    @Override
    public void deallocateHandle(long handle) {
        checkOwner();
        ChunkTable table = chunks;
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
        checkOwner();
        long offset = segment.address() - firstBase;
        if (offset >= 0 && offset < firstLimit && plainFree && segment.isNative() && segment.byteSize() <= blockSize) {
            long[] chunkLinks = firstLinks;
            int index = indexOf(offset);
            if (isHandedOut(chunkLinks, 0, offset, index)) {
                linkFree(chunkLinks, index, offset);
                return;
            }
        }
        deallocateSlowly(segment);
    }

    /**
     * {@link #deallocate(MemorySegment)} beyond its common case: checked mode, zeroing or statistics, a block of a
     * later chunk, or a segment that fails a check, which this path names.
     */
    private void deallocateSlowly(MemorySegment segment) {
        if (checked) {
            checkedBlocks.deallocate(segment);
            return;
        }
        releaseSegment(chunks, segment);
    }

    @Override
    void release(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        int index = indexOf(offset);
        if (offset >= table.limits[chunk] || !isHandedOut(links[chunk], chunk, offset, index)) {
            throw Events.allocationError(PoolErrors.releaseFailure(this, table, chunk, offset, segment,
                    handedOutSinceReset(chunk, offset)));
        }
        free(table, chunk, offset, byteSize, segment);
    }

    /** Marks block {@code index} of a chunk whose links are {@code chunkLinks} in use, and counts it. */
    private void markInUse(long[] chunkLinks, int index) {
        chunkLinks[index] = IN_USE;
        liveBlocks++;
    }

    /**
     * Tells whether the block at {@code offset} (block {@code index}) of chunk {@code chunk}, whose links are
     * {@code chunkLinks}, is a block's start and in use: handed out since the last reset and not given back. The
     * offset lies inside the chunk.
     */
    private boolean isHandedOut(long[] chunkLinks, int chunk, long offset, int index) {
        return offset == index * stride && chunkLinks[index] == IN_USE && handedOutSinceReset(chunk, offset);
    }

    /**
     * Puts block {@code index}, handle {@code handle}, of a chunk whose links are {@code chunkLinks} first on the
     * free list, and counts it given back.
     */
    private void linkFree(long[] chunkLinks, int index, long handle) {
        chunkLinks[index] = freeHead;
        freeHead = handle;
        liveBlocks--;
    }

    /** Nothing to do: a confined pool's scopes read the block's entry in {@link #links}, which {@link #free} sets. */
    @Override
    void untag(ChunkTable table, int chunk, long offset, MemorySegment segment) {
    }

    @Override
    void free(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        if (zeroOnRelease) {
            zeroBlock(table.segments[chunk], offset);
        }
        linkFree(links[chunk], indexOf(offset), Handles.of(chunk, offset));
        if (stats != null) {
            stats.deallocated(stride);
        }
    }

    /** Itself: a confined pool is its thread's already. */
    @Override
    public PoolAllocator threadCache() {
        checkOwner();
        return this;
    }

    @Override
    public Scope scope() {
        checkOwner();
        if (scopeLog == null) {
            scopeLog = new long[32];
        }
        return new ConfinedPoolScope(this, openScopes++, scopeEpoch, logged);
    }

    /**
     * Closes {@code scope}, or throws and leaves it open: it must be the innermost open scope of the current epoch.
     * Gives back, newest first, the logged blocks from its mark on that are still in use, then truncates the log.
     */
    void closeScope(ConfinedPoolScope scope) {
        checkOwner();
        int depth = scope.depth;
        if (scope.epoch != scopeEpoch || depth >= openScopes) {
            throw Events.allocationError(PoolErrors.scopeDiscarded(this, depth));
        }
        if (depth != openScopes - 1) {
            throw Events.allocationError(PoolErrors.scopeNotInnermost(this, depth, openScopes));
        }
        int mark = scope.mark;
        if (logged != mark) {
            if (plainFree) {
                giveBackPlainly(mark);
            } else {
                giveBack(mark);
            }
        }
        openScopes = depth;
    }

    /**
     * {@link #giveBack} for a pool whose frees only move the free list (not checked, no zeroing, no statistics), which
     * cannot fail: links the logged blocks still in use onto the free list, newest first, and truncates the log once.
     */
    private void giveBackPlainly(int mark) {
        long[] log = scopeLog;
        for (int i = logged - 1; i >= mark; i--) {
            long handle = log[i];
            long[] chunkLinks = links[Handles.chunk(handle)];
            int index = indexOf(Handles.offset(handle));
            if (chunkLinks[index] == IN_USE) {
                linkFree(chunkLinks, index, handle);
            }   // else given back by hand since, and maybe handed out again and logged later
        }
        logged = mark;
    }

    /**
     * Gives back, newest first, the logged blocks from {@code mark} on that are still in use, and truncates the
     * log to {@code mark}. A block whose give-back throws (checked mode: its arena could not be closed) stays
     * in use and logged, so the scope, left open, still holds it. A method of its own, so that
     * {@link #closeScope} stays small.
     */
    private void giveBack(int mark) {
        ChunkTable table = chunks;
        long[] log = scopeLog;
        for (int i = logged - 1; i >= mark; i--) {
            long handle = log[i];
            int chunk = Handles.chunk(handle);
            long offset = Handles.offset(handle);
            if (links[chunk][indexOf(offset)] == IN_USE) {
                if (checked) {
                    checkedBlocks.releaseForScope(handle);
                }
                free(table, chunk, offset, blockSize, null);
            }   // else given back by hand since, and maybe handed out again and logged later
            logged = i;
        }
    }

    @Override
    public void reset() {
        checkOwner();
        if (checked) {
            checkedBlocks.releaseAll();
        }
        ChunkTable table = chunks;
        long released = liveBlocks * stride;
        for (int chunk = 0; chunk <= frontierChunk; chunk++) {
            long touched = chunk < frontierChunk ? table.limits[chunk] : frontier - Handles.of(chunk, 0);
            PoolChunks.clear(this, table, chunk, touched);
        }
        freeHead = NO_BLOCK;
        liveBlocks = 0;
        enterChunk(0);
        logged = 0;
        openScopes = 0;
        scopeEpoch++;
        PoolChunks.wasReset(this, released);
    }

    /** One comparison with a field of the pool itself; the lifecycle decides, and names the error, when it fails. */
    private void checkOwner() {
        if (owner != Thread.currentThread()) {
            life.checkOwner(this);
        }
    }

    @Override
    void closing() {
        owner = null;
    }

    @Override
    ChunkTable table() {
        return chunks;
    }

    @Override
    long live() {
        return liveBlocks;
    }

    @Override
    long openScopes() {
        return openScopes;
    }

    @Override
    boolean handedOutSinceReset(int chunk, long offset) {
        return chunk < frontierChunk || (chunk == frontierChunk && Handles.of(chunk, offset) < frontier);
    }

    @Override
    String chunkLimitNote() {
        return "";
    }
}
