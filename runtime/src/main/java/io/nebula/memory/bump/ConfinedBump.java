package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A {@link BumpAllocator} confined to the thread that created it: every call checks the owner (one comparison,
 * which also covers "closed") and then does plain field arithmetic.
 *
 * <p>Invariants: {@code memory} is the block of a fixed arena, or the current chunk of a growable one;
 * {@code base} is its address and {@code limit} its size; {@code top} is the bytes used in it
 * ({@code 0 <= top <= limit}); {@code usedBefore} is the used bytes at its start (always 0 for a fixed arena), so
 * {@code usedBytes() == usedBefore + top}. {@code offsetLimit} is what the offset path may use: {@code limit} for a
 * fixed arena, {@code -1} for a growable one, so that its offset path falls to the slow path, which refuses it,
 * without a check on the fast path. {@code plainLimit} does the same for the segment path: {@code limit} when an
 * allocation only moves {@code top} (not checked, no fill pattern, no zeroing, no statistics), else {@code -1}, so
 * that the one bounds check of the fast path also sends every other configuration to its own path.
 */
final class ConfinedBump extends BumpAllocator {

    private final Lifecycle.Confined life;
    /** The lifecycle's owner while the arena is open, {@code null} once closed; written by the owner only. */
    private Thread owner;
    private final long offsetLimit;
    /** A restore within the current chunk only moves {@code top}: no checked-mode levels, nothing to zero. */
    private final boolean plainRestore;
    /** An allocation only moves {@code top}: not checked, no fill pattern, no zeroing, no statistics. */
    private final boolean plainAllocate;
    /** {@code limit} when {@code plainAllocate}, else {@code -1}: what the fast segment path may use. */
    private long plainLimit;
    private MemorySegment memory;
    private long base;
    private long limit;
    private long top;
    private long usedBefore;

    ConfinedBump(long capacity, BumpConfig config) {
        this(Lifecycle.confined(config.trackStats(), config.leakPolicy()), capacity, config);
    }

    private ConfinedBump(Lifecycle.Confined life, long capacity, BumpConfig config) {
        super(life, capacity, config);
        this.life = life;
        this.owner = Thread.currentThread();
        this.memory = chain == null ? block : chain.segment(0);
        this.base = memory.address();
        this.limit = memory.byteSize();
        this.offsetLimit = chain == null ? limit : -1;
        this.plainRestore = !checked && !zeroOnRelease;
        this.plainAllocate = !checked && !fill && !zeroOnAllocate && stats == null;
        this.plainLimit = plainAllocate ? limit : -1;
        life.startTracking(this);
    }

    @Override
    public int chunkCount() {
        return chain == null ? 1 : chain.count();
    }

    @Override
    public MemorySegment segment() {
        return memory;
    }

    @Override
    public long allocateOffset(long byteSize, long byteAlignment) {
        checkOwner();
        long used = top;
        long start = startOf(used, byteAlignment);
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > offsetLimit - start) {
            throw Events.allocationError(offsetFailure(byteSize, byteAlignment));
        }
        long end = start + byteSize;
        top = end;
        if (stats != null) {
            stats.allocated(end - used, end);
        }
        prepare(memory, start, byteSize);
        return start;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkOwner();
        long start = startOf(top, byteAlignment);
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > plainLimit - start) {
            return allocateSlowly(byteSize, byteAlignment);
        }
        top = start + byteSize;
        return memory.asSlice(start, byteSize);
    }

    /**
     * {@link #allocate(long, long)} when the fast path's one bounds check failed: checked mode, a fill pattern,
     * zeroing or statistics, an invalid request, or a request that does not fit in the rest of the chunk.
     */
    private MemorySegment allocateSlowly(long byteSize, long byteAlignment) {
        if (!plainAllocate) {
            return allocateWithExtras(byteSize, byteAlignment);
        }
        long start = claimInNextChunk(byteSize, byteAlignment);
        return memory.asSlice(start, byteSize);
    }

    /** {@link #allocate(long, long)} with checked mode, a fill pattern, zeroing or statistics; owner checked. */
    private MemorySegment allocateWithExtras(long byteSize, long byteAlignment) {
        if (checked) {
            return allocateChecked(byteSize, byteAlignment);
        }
        long start = claim(byteSize, byteAlignment);
        MemorySegment target = memory;
        prepare(target, start, byteSize);
        return target.asSlice(start, byteSize);
    }

    /**
     * Checked mode, the owner checked: finds the range as {@link #claim} does, then takes the level's own segment, and only then
     * commits the range and counts the allocation; when the system refuses the segment, a move to another chunk is
     * undone (the new chunk stays as a spare) and the arena is as it was.
     */
    private MemorySegment allocateChecked(long byteSize, long byteAlignment) {
        int wasChunk = chain == null ? 0 : chain.current();
        long wasTop = top;
        long wasUsed = usedBefore + wasTop;
        long start = startOf(wasTop, byteAlignment);
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > limit - start) {
            start = moveToNextChunk(byteSize, byteAlignment);
        }
        MemorySegment segment;
        try {
            segment = levelSegment(byteSize, byteAlignment);
        } catch (OutOfMemoryError systemRefused) {
            if (chain != null && chain.current() != wasChunk) {
                chain.rewind(wasChunk);
                enter(wasChunk, wasTop);
            }
            throw Events.allocationError(failed(NativeMemory.checkedSegmentRefused(toString(), byteSize,
                    byteAlignment, availableBytes(), usedBytes(), systemRefused)));
        }
        long end = start + byteSize;
        top = end;
        if (stats != null) {
            stats.allocated(usedBefore + end - wasUsed, usedBefore + end);
        }
        return segment;
    }

    /** Moves the bump offset past a new range of {@code memory} and returns the range's start; writes nothing. */
    private long claim(long byteSize, long byteAlignment) {
        long used = top;
        long start = startOf(used, byteAlignment);
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > limit - start) {
            return claimInNextChunk(byteSize, byteAlignment);
        }
        long end = start + byteSize;
        top = end;
        if (stats != null) {
            stats.allocated(end - used, usedBefore + end);
        }
        return start;
    }

    /**
     * The slow path of {@link #claim}: refuses an invalid request, or a request a fixed arena cannot hold, and
     * otherwise moves a growable arena to its next chunk and claims the request there.
     */
    private long claimInNextChunk(long byteSize, long byteAlignment) {
        long wasUsed = usedBefore + top;
        long start = moveToNextChunk(byteSize, byteAlignment);
        long end = start + byteSize;
        top = end;
        if (stats != null) {
            stats.allocated(usedBefore + end - wasUsed, usedBefore + end);
        }
        return start;
    }

    /**
     * Refuses an invalid request, or a request a fixed arena cannot hold (counting the failure), and otherwise moves
     * a growable arena to its next chunk, with nothing used in it yet.
     *
     * @return where the request starts in the new chunk
     */
    private long moveToNextChunk(long byteSize, long byteAlignment) {
        AllocationException refused = refusal(byteSize, byteAlignment);
        if (refused != null) {
            throw Events.allocationError(failed(refused));
        }
        int next;
        try {
            next = chain.advance(byteSize, byteAlignment, top);
        } catch (AllocationException systemRefused) {
            throw failed(systemRefused);
        }
        if (next < 0) {
            throw Events.allocationError(failed(BumpErrors.growthLimit(toString(), byteSize, byteAlignment,
                    usedBytes(), limit - top, chain)));
        }
        enter(next, 0);
        return Requests.alignUp(base, byteAlignment) - base;
    }

    /**
     * The error for an invalid request, or for a request that a fixed arena cannot hold; {@code null} when the
     * request is valid and the arena is growable. Describes the arena only when there is an error: a growable
     * arena runs this on every move to another chunk (a thread-safe one on every allocation).
     */
    private AllocationException refusal(long byteSize, long byteAlignment) {
        if (chain != null && byteSize >= 0 && Requests.isPowerOfTwo(byteAlignment)) {
            return null;
        }
        AllocationException invalid = BumpErrors.invalidRequest(toString(), byteSize, byteAlignment,
                availableBytes(), usedBytes());
        if (invalid != null || chain != null) {
            return invalid;
        }
        return BumpErrors.outOfMemory(toString(), config.origin(), byteSize, byteAlignment, top, limit,
                Requests.alignUp(base + top, byteAlignment) - base);
    }

    private AllocationException offsetFailure(long byteSize, long byteAlignment) {
        AllocationException refused = refusal(byteSize, byteAlignment);
        return failed(refused != null ? refused : BumpErrors.offsetsNeedAFixedArena(toString(), byteSize,
                byteAlignment, availableBytes(), usedBytes(), config.growth().orElseThrow()));
    }

    /**
     * Where a request aligned to {@code byteAlignment} starts when {@code used} bytes of {@code memory} are used.
     * The block and every chunk are aligned to {@link #BLOCK_ALIGNMENT}, so an alignment up to that is one of the
     * offset, with no address: for the constant alignment of a typical call the JIT keeps one branch-free round-up.
     * An invalid alignment gives a meaningless start, which the caller's validity check refuses.
     */
    private long startOf(long used, long byteAlignment) {
        return byteAlignment <= BLOCK_ALIGNMENT ? Requests.alignUp(used, byteAlignment)
                : Requests.alignUp(base + used, byteAlignment) - base;
    }

    /** Makes chunk {@code index} of a growable arena the one allocation bumps through, {@code used} bytes in. */
    private void enter(int index, long used) {
        memory = chain.segment(index);
        base = memory.address();
        limit = memory.byteSize();
        plainLimit = plainAllocate ? limit : -1;
        usedBefore = chain.start(index);
        top = used;
    }

    @Override
    public Checkpoint checkpoint() {
        checkOwner();
        return checkpoints.push(this, usedBefore, top, false);
    }

    @Override
    public Scope scope() {
        checkOwner();
        CheckpointStack frames = checkpoints;
        long chunkStart = usedBefore;
        long at = top;
        int depth = frames.pushScope(chunkStart + at);
        if (depth < 0) {
            depth = frames.push(this, chunkStart, at, true).depth;
        }
        return new BumpScope(this, depth, frames.epoch(), chunkStart, at);
    }

    /**
     * The fast path of a scope's close: the innermost scope, opened in the current epoch and chunk, of an unchecked
     * arena that does not zero on release: two comparisons, then the bump offset and the depth stored back.
     * Everything else, errors included, goes through {@link #restore(Checkpoint)}.
     */
    @Override
    void closeScope(BumpScope scope) {
        checkOwner();
        if (plainRestore && scope.chunkStart == usedBefore && checkpoints.popInnermost(scope.depth, scope.epoch)) {
            long to = scope.top;
            long released = top - to;
            top = to;
            released(RESTORE, released);
            return;
        }
        restore(scope.checkpoint());
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        checkOwner();
        BumpCheckpoint mine = live(checkpoint);
        checkpoints.discardFrom(mine.depth);
        long released;
        if (mine.chunkStart == usedBefore) {
            long to = mine.top;
            released = top - to;
            if (zeroOnRelease && released > 0) {
                MemoryKernels.fill(memory, to, released, (byte) 0);
            }
            top = to;
        } else {
            released = rewind(mine.usedBytes());
        }
        released(RESTORE, released);
    }

    /** Restores a growable arena to a position in an earlier chunk; the later chunks become spares. */
    private long rewind(long target) {
        long released = usedBefore + top - target;
        int index = chain.find(target);
        long to = target - chain.start(index);
        if (zeroOnRelease) {
            chain.zero(index, to, top);
        }
        chain.rewind(index);
        enter(index, to);
        return released;
    }

    @Override
    public void reset() {
        checkOwner();
        checkpoints.discardFrom(0);
        checkpoints.renewBaseLevel();
        long released = usedBefore + top;
        if (chain == null) {
            if (zeroOnRelease && released > 0) {
                MemoryKernels.fill(memory, 0, released, (byte) 0);
            }
            top = 0;
        } else {
            if (zeroOnRelease) {
                chain.zero(0, 0, top);
            }
            chain.reset();
            enter(0, 0);
        }
        released(RESET, released);
    }

    @Override
    public long usedBytes() {
        return usedBefore + top;
    }

    @Override
    public long capacityBytes() {
        return chain == null ? limit : chain.reserved();
    }

    @Override
    void checkUsable() {
        checkOwner();
    }

    /**
     * One comparison with a field of the arena itself; the lifecycle decides, and names the error, when it fails.
     */
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
    boolean inMemory(MemorySegment segment) {
        if (chain != null) {
            return chain.owns(segment);
        }
        long offset = segment.address() - base;
        return offset >= 0 && offset <= limit && segment.byteSize() <= limit - offset;
    }
}
