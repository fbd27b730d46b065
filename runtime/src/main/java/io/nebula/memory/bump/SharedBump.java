package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A thread-safe {@link BumpAllocator}: allocation is a lock-free compare-and-set on the bump offset; checkpoints,
 * scopes, restores, resets and a growable arena's moves to another chunk take the lock among themselves.
 *
 * <p>Invariants. A fixed arena bumps {@code top} through {@code memory}, {@code 0 <= top <= capacity}. A growable
 * arena bumps through its current {@link ActiveChunk}, {@code active}, replaced (never reused) under the lock; its
 * {@code capacity} field is {@code -1}, so the fixed fast path always fails its bounds check and falls to the chunk
 * path without a check of its own, and {@code memory} is {@code null}. Every change of position other than
 * allocation ({@code restore}, {@code reset}, a move to another chunk) happens under the lock, so checkpoints and
 * the chunk chain need no other synchronisation.
 */
final class SharedBump extends BumpAllocator {

    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(SharedBump.class, "top", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Lifecycle.Shared life;
    private final MemorySegment memory;
    private final long base;
    private final long capacity;
    /** A fixed arena's bump offset; accessed through {@link #TOP}. */
    private long top;
    /** A growable arena's current chunk; {@code null} for a fixed arena. */
    private volatile ActiveChunk active;

    private SharedBump(long capacity, BumpConfig config) {
        this(Lifecycle.shared(config.trackStats(), config.leakPolicy()), capacity, config);
    }

    /**
     * Creates a thread-safe arena. Typed {@link BumpAllocator} so that {@link BumpAllocator#create(long, BumpConfig)}
     * does not load this class until a thread-safe arena is asked for (see there).
     */
    static BumpAllocator of(long capacity, BumpConfig config) {
        return new SharedBump(capacity, config);
    }

    private SharedBump(Lifecycle.Shared life, long capacity, BumpConfig config) {
        super(life, capacity, config);
        this.life = life;
        if (chain == null) {
            this.memory = block;
            this.base = block.address();
            this.capacity = capacity;
        } else {
            this.memory = null;
            this.base = 0;
            this.capacity = -1;
            this.active = new ActiveChunk(chain.segment(0), 0, 0);
        }
        life.startTracking(this);
    }

    @Override
    public int chunkCount() {
        if (chain == null) {
            return 1;
        }
        life.lock();
        try {
            return chain.count();
        } finally {
            life.unlock();
        }
    }

    @Override
    public MemorySegment segment() {
        return chain == null ? memory : active.segment;
    }

    @Override
    public long allocateOffset(long byteSize, long byteAlignment) {
        long start = claim(byteSize, byteAlignment);
        if (start < 0) {
            throw Events.allocationError(offsetFailure(byteSize, byteAlignment));
        }
        prepare(memory, start, byteSize);
        return start;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (checked) {
            return allocateChecked(byteSize, byteAlignment);
        }
        long start = claim(byteSize, byteAlignment);
        if (start < 0) {
            return allocateInChunks(byteSize, byteAlignment);
        }
        prepare(memory, start, byteSize);
        return memory.asSlice(start, byteSize);
    }

    /**
     * Checked mode, under the lock: claims the range, takes the level's own segment, and counts the allocation only
     * then. When the system refuses the segment, the claim is undone: a growable arena's chunk (checked growable
     * arenas claim only here, under the lock) goes back to where it was, a move to another chunk included (the new
     * chunk stays as a spare); a fixed arena's offset goes back unless an {@link #allocateOffset} of another thread
     * claimed bytes after it meanwhile, in which case the range stays unused, as alignment padding does.
     */
    private MemorySegment allocateChecked(long byteSize, long byteAlignment) {
        life.lock();
        try {
            life.checkNotClosed(this);
            return chain == null ? checkedInBlock(byteSize, byteAlignment) : checkedInChunks(byteSize, byteAlignment);
        } finally {
            life.unlock();
        }
    }

    private MemorySegment checkedInBlock(long byteSize, long byteAlignment) {
        long used = (long) TOP.getVolatile(this);
        long end;
        while (true) {
            long start = Requests.alignUp(base + used, byteAlignment) - base;
            if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > capacity - start) {
                throw Events.allocationError(failed(refusal(byteSize, byteAlignment)));
            }
            end = start + byteSize;
            long witness = (long) TOP.compareAndExchange(this, used, end);
            if (witness == used) {
                break;
            }
            used = witness;
        }
        MemorySegment segment;
        try {
            segment = levelSegment(byteSize, byteAlignment);
        } catch (OutOfMemoryError systemRefused) {
            TOP.compareAndSet(this, end, used);
            throw Events.allocationError(failed(NativeMemory.checkedSegmentRefused(toString(), byteSize,
                    byteAlignment, availableBytes(), usedBytes(), systemRefused)));
        }
        if (stats != null) {
            stats.allocated(end - used, end);
        }
        return segment;
    }

    private MemorySegment checkedInChunks(long byteSize, long byteAlignment) {
        AllocationException refused = refusal(byteSize, byteAlignment);
        if (refused != null) {
            throw Events.allocationError(failed(refused));
        }
        ActiveChunk chunk = active;
        int wasChunk = chain.current();
        long wasTop = chunk.top();
        long wasUsed = chunk.usedBefore + wasTop;
        long start = chunk.claim(byteSize, byteAlignment) >= 0 ? chunk.start(wasTop, byteAlignment) : -1;
        if (start < 0) {
            chunk = moveToNextChunk(chunk, byteSize, byteAlignment);
            start = chunk.start(0, byteAlignment);
        }
        MemorySegment segment;
        try {
            segment = levelSegment(byteSize, byteAlignment);
        } catch (OutOfMemoryError systemRefused) {
            if (chunk == active && chain.current() == wasChunk) {
                chunk.rewind(wasTop);
            } else {
                active.seal();
                chain.rewind(wasChunk);
                active = new ActiveChunk(chain.segment(wasChunk), chain.start(wasChunk), wasTop);
            }
            throw Events.allocationError(failed(NativeMemory.checkedSegmentRefused(toString(), byteSize,
                    byteAlignment, availableBytes(), usedBytes(), systemRefused)));
        }
        if (stats != null) {
            long usedAfter = chunk.usedBefore + start + byteSize;
            stats.allocated(usedAfter - wasUsed, usedAfter);
        }
        return segment;
    }

    /**
     * The fixed arena's compare-and-set loop: returns the start of the claimed range in {@code memory}, or
     * {@code -1} when the request is invalid, does not fit, or the arena is growable.
     */
    private long claim(long byteSize, long byteAlignment) {
        life.checkNotClosed(this);
        long used = (long) TOP.getVolatile(this);
        while (true) {
            long start = Requests.alignUp(base + used, byteAlignment) - base;
            if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > capacity - start) {
                return -1;
            }
            long end = start + byteSize;
            long witness = (long) TOP.compareAndExchange(this, used, end);
            if (witness == used) {
                if (stats != null) {
                    stats.allocated(end - used, end);
                }
                return start;
            }
            used = witness;
        }
    }

    /**
     * The slow path of {@link #allocate}: refuses an invalid request or one a fixed arena cannot hold; otherwise
     * claims the request in a growable arena's current chunk, moving to the next chunk under the lock when it does
     * not fit.
     */
    private MemorySegment allocateInChunks(long byteSize, long byteAlignment) {
        AllocationException refused = refusal(byteSize, byteAlignment);
        if (refused != null) {
            throw Events.allocationError(failed(refused));
        }
        while (true) {
            ActiveChunk chunk = active;
            long wasUsed = chunk.claim(byteSize, byteAlignment);
            long start;
            if (wasUsed >= 0) {
                start = chunk.start(wasUsed, byteAlignment);
                wasUsed += chunk.usedBefore;
            } else {
                life.lock();
                try {
                    life.checkNotClosed(this);
                    if (active != chunk) {
                        continue;
                    }
                    wasUsed = chunk.claim(byteSize, byteAlignment);
                    if (wasUsed >= 0) {
                        start = chunk.start(wasUsed, byteAlignment);
                        wasUsed += chunk.usedBefore;
                    } else {
                        ActiveChunk left = chunk;
                        chunk = moveToNextChunk(left, byteSize, byteAlignment);
                        start = chunk.start(0, byteAlignment);
                        wasUsed = left.usedBefore + chain.end(chain.current() - 1);
                    }
                } finally {
                    life.unlock();
                }
            }
            if (stats != null) {
                long usedAfter = chunk.usedBefore + start + byteSize;
                stats.allocated(usedAfter - wasUsed, usedAfter);
            }
            prepare(chunk.segment, start, byteSize);
            return chunk.segment.asSlice(start, byteSize);
        }
    }

    /**
     * Under the lock: moves the arena from {@code current}, where the request does not fit, to the next chunk, with
     * the request already claimed at its start.
     */
    private ActiveChunk moveToNextChunk(ActiveChunk current, long byteSize, long byteAlignment) {
        int next;
        try {
            next = chain.advance(byteSize, byteAlignment, current.top());
        } catch (AllocationException systemRefused) {
            throw failed(systemRefused);
        }
        if (next < 0) {
            throw Events.allocationError(failed(BumpErrors.growthLimit(toString(), byteSize, byteAlignment,
                    current.usedBefore + current.top(), current.size - current.top(), chain)));
        }
        chain.setEnd(next - 1, current.seal());
        MemorySegment segment = chain.segment(next);
        long start = Requests.alignUp(segment.address(), byteAlignment) - segment.address();
        ActiveChunk moved = new ActiveChunk(segment, chain.start(next), start + byteSize);
        active = moved;
        return moved;
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
        long used = usedBytes();
        AllocationException invalid = BumpErrors.invalidRequest(toString(), byteSize, byteAlignment,
                capacityBytes() - used, used);
        if (invalid != null || chain != null) {
            return invalid;
        }
        return BumpErrors.outOfMemory(toString(), config.origin(), byteSize, byteAlignment, used, capacity,
                Requests.alignUp(base + used, byteAlignment) - base);
    }

    private AllocationException offsetFailure(long byteSize, long byteAlignment) {
        AllocationException refused = refusal(byteSize, byteAlignment);
        return failed(refused != null ? refused : BumpErrors.offsetsNeedAFixedArena(toString(), byteSize,
                byteAlignment, availableBytes(), usedBytes(), config.growth().orElseThrow()));
    }

    @Override
    public Checkpoint checkpoint() {
        life.lock();
        try {
            life.checkNotClosed(this);
            return push(false);
        } finally {
            life.unlock();
        }
    }

    @Override
    public Scope scope() {
        life.lock();
        try {
            life.checkNotClosed(this);
            return new BumpScope(this, push(true));
        } finally {
            life.unlock();
        }
    }

    /** Under the lock: pushes a checkpoint at the current position. */
    private BumpCheckpoint push(boolean scope) {
        if (chain == null) {
            return checkpoints.push(this, 0, (long) TOP.getVolatile(this), scope);
        }
        ActiveChunk chunk = active;
        return checkpoints.push(this, chunk.usedBefore, chunk.top(), scope);
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        life.lock();
        try {
            life.checkNotClosed(this);
            BumpCheckpoint mine = live(checkpoint);
            checkpoints.discardFrom(mine.depth);
            long target = mine.usedBytes();
            long released;
            if (chain == null) {
                released = (long) TOP.getAndSet(this, mine.top) - mine.top;
            } else {
                ActiveChunk chunk = active;
                if (mine.chunkStart == chunk.usedBefore) {
                    released = chunk.rewind(mine.top) - mine.top;
                } else {
                    released = chunk.seal() + chunk.usedBefore - target;
                    int index = chain.find(target);
                    chain.rewind(index);
                    active = new ActiveChunk(chain.segment(index), chain.start(index), target - chain.start(index));
                }
            }
            released(RESTORE, released);
        } finally {
            life.unlock();
        }
    }

    @Override
    public void reset() {
        life.lock();
        try {
            life.checkNotClosed(this);
            checkpoints.discardFrom(0);
            checkpoints.renewBaseLevel();
            long released;
            if (chain == null) {
                released = (long) TOP.getAndSet(this, 0L);
            } else {
                ActiveChunk chunk = active;
                released = chunk.seal() + chunk.usedBefore;
                chain.reset();
                active = new ActiveChunk(chain.segment(0), 0, 0);
            }
            released(RESET, released);
        } finally {
            life.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A growable arena reads its current chunk under the lock, so the figure is never one of a chunk being left.
     */
    @Override
    public long usedBytes() {
        if (chain == null) {
            return (long) TOP.getVolatile(this);
        }
        life.lock();
        try {
            ActiveChunk chunk = active;
            return chunk.usedBefore + chunk.top();
        } finally {
            life.unlock();
        }
    }

    @Override
    public long capacityBytes() {
        if (chain == null) {
            return capacity;
        }
        life.lock();
        try {
            return chain.reserved();
        } finally {
            life.unlock();
        }
    }

    @Override
    void checkUsable() {
        life.checkNotClosed(this);
    }

    @Override
    boolean inMemory(MemorySegment segment) {
        if (chain == null) {
            long offset = segment.address() - base;
            return offset >= 0 && offset <= capacity && segment.byteSize() <= capacity - offset;
        }
        life.lock();
        try {
            return chain.owns(segment);
        } finally {
            life.unlock();
        }
    }
}
