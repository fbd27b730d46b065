package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A thread-safe {@link BumpAllocator}: each thread allocates inside a {@link ThreadBuffer} of its own, a slice of the
 * current chunk reserved with one compare-and-set, with plain loads and stores; checkpoints, scopes, restores,
 * resets and a growable arena's moves to another chunk take the lock among themselves.
 *
 * <p>Invariants. The arena's position is the current {@link ActiveChunk}, {@code active}: a fixed arena's block is
 * its only chunk, a growable arena's chain has several. {@code active} is replaced (never reused) under the lock
 * whenever the position changes other than by allocation, the old one sealed first, so every thread buffer
 * reserved in it is retired at once. A platform thread's buffer lives in {@code local}; virtual threads share the
 * {@code stripes}, each held for one allocation. Allocation tries the buffer, then (in {@link #refill}) grows the
 * buffer in place when it ends where the chunk's used bytes end, then claims a large request on its own, then
 * reserves a new buffer; a small request moves to a new buffer only when the rest of the old one is smaller than
 * itself, which bounds the rest given up (the {@code wastedBytes} statistic) to an eighth of a buffer. A fixed
 * arena's {@code memory} is its block; a growable arena has none ({@code null}).
 */
final class SharedBump extends BumpAllocator {

    /** The smallest automatic thread buffer, in bytes: an arena under 64 times this has none by default. */
    static final long MIN_AUTOMATIC_BUFFER = 64;
    /** The largest automatic thread buffer, in bytes. */
    static final long MAX_AUTOMATIC_BUFFER = 64 * 1024;
    /** The bits of a platform thread's slot in {@code slots}: 64 slots. */
    private static final int SLOT_BITS = 6;
    /** The most striped buffers virtual threads share. */
    private static final int MAX_STRIPES = 256;

    private final Lifecycle.Shared life;
    private final MemorySegment memory;
    /** The size of a thread buffer. */
    private final long bufferBytes;
    /** A request whose size plus alignment slack exceeds this is claimed on its own, never in a new buffer. */
    private final long largeRequest;
    /** Each platform thread's buffer. Holds no reference to the arena, so that a thread does not keep it alive. */
    private final ThreadLocal<ThreadBuffer> local =
            ThreadLocal.withInitial(() -> new ThreadBuffer(Thread.currentThread()));
    /**
     * The buffer of the first platform thread that allocated, written once (or a few times by threads that race to
     * be first, each with its own buffer): that thread finds its buffer without a {@link ThreadLocal} look-up. Only
     * a thread that {@link #firstOwner} names reads it; every allocation of that thread writes the buffer's
     * {@code top}, so a thread that read the buffer's {@code owner} on each call would pull that line from the other
     * core every time (two threads on one arena took 9-15 ns per allocation instead of 3 that way).
     */
    private ThreadBuffer firstBuffer;
    /**
     * The thread of {@link #firstBuffer}, kept apart from the buffer so that other threads compare it without
     * touching the buffer; written with it. A race to be first may leave it naming another thread than
     * {@code firstBuffer}'s owner, which only sends that thread to its slot: the buffer's own owner is compared too.
     * Keeps that thread's {@link Thread} object reachable while the arena is.
     */
    private Thread firstOwner;
    /**
     * Platform threads' buffers by {@link #slotOf(Thread)}: a thread whose buffer sits in its slot finds it with one
     * comparison instead of a {@link ThreadLocal} look-up, which cost an allocation 2.1 times the time (see
     * BENCHMARKS). A slot is written with a plain store, only by a thread that finds it empty or held by the buffer
     * of an ended thread; a reader compares the buffer's owner, a final field, with itself, so a slot written by
     * another thread, or a racing write lost, only sends it to {@code local}. Two live threads with one slot: the
     * second keeps using {@code local}. Keeps the {@link Thread} objects of up to {@code 2^SLOT_BITS} ended threads
     * reachable while the arena is, as {@code firstBuffer} does one.
     */
    private final ThreadBuffer[] slots = new ThreadBuffer[1 << SLOT_BITS];
    /**
     * The thread of each slot's buffer, written with it, so that a thread compares its slot's owner without touching
     * the buffer, whose {@code top} its owner writes on every allocation (as {@link #firstOwner} for the first
     * buffer). The buffer's own owner is compared too, so a racing write only sends a thread to {@code local}.
     */
    private final Thread[] slotOwners = new Thread[1 << SLOT_BITS];
    /** The buffers virtual threads share, a power of two of them, picked by a hash of the thread id. */
    private final ThreadBuffer[] stripes;
    /** The current period of the current chunk. */
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
        this.bufferBytes = bufferBytes(capacity, config);
        this.largeRequest = Math.max(1, bufferBytes / 8);
        this.memory = block;
        this.active = new ActiveChunk(chain == null ? block : chain.segment(0), 0, 0);
        int stripeCount = Math.min(MAX_STRIPES,
                Integer.highestOneBit(Math.max(4, 4 * Runtime.getRuntime().availableProcessors()) - 1) << 1);
        this.stripes = new ThreadBuffer[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new ThreadBuffer(null);
        }
        life.startTracking(this);
    }

    /**
     * The thread buffer size: the config's, or a 64th of the capacity rounded down to 64 bytes, at most
     * {@link #MAX_AUTOMATIC_BUFFER}; 0 (no buffers: every request claimed on its own) when that is under
     * {@link #MIN_AUTOMATIC_BUFFER}, so that one thread's buffer never holds a small arena's memory from the others.
     */
    static long bufferBytes(long capacity, BumpConfig config) {
        if (config.threadBufferBytes() != BumpConfig.AUTOMATIC_THREAD_BUFFER) {
            return config.threadBufferBytes();
        }
        long bytes = (capacity / 64) & -BLOCK_ALIGNMENT;
        return bytes < MIN_AUTOMATIC_BUFFER ? 0 : Math.min(bytes, MAX_AUTOMATIC_BUFFER);
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
        life.checkNotClosed(this);
        if (chain != null || byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment)) {
            throw Events.allocationError(offsetFailure(byteSize, byteAlignment));
        }
        long start;
        Thread thread = Thread.currentThread();
        ThreadBuffer first = firstOwner == thread ? firstBuffer : null;
        if (first != null && first.owner == thread) {
            start = first.bump(active, byteSize, byteAlignment);
            if (start < 0) {
                start = refill(first, byteSize, byteAlignment);
            }
        } else if (thread.isVirtual()) {
            ThreadBuffer buffer = stripe();
            if (!buffer.tryAcquire()) {
                start = claimShared(new ThreadBuffer(null), byteSize, byteAlignment);
            } else {
                try {
                    start = buffer.bump(active, byteSize, byteAlignment);
                    if (start < 0) {
                        start = refill(buffer, byteSize, byteAlignment);
                    }
                } finally {
                    buffer.release();
                }
            }
        } else {
            ThreadBuffer buffer = platformBuffer();
            start = buffer.bump(active, byteSize, byteAlignment);
            if (start < 0) {
                start = refill(buffer, byteSize, byteAlignment);
            }
        }
        if (stats != null) {
            stats.allocatedInReserved();
        }
        prepare(memory, start, byteSize);
        return start;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (checked) {
            return allocateChecked(byteSize, byteAlignment);
        }
        life.checkNotClosed(this);
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment)) {
            throw Events.allocationError(failed(refusal(byteSize, byteAlignment)));
        }
        Thread thread = Thread.currentThread();
        ThreadBuffer buffer = firstOwner == thread ? firstBuffer : null;
        if (buffer == null || buffer.owner != thread) {
            if (thread.isVirtual()) {
                return allocateStriped(byteSize, byteAlignment);
            }
            buffer = platformBuffer();
        }
        ActiveChunk chunk = active;
        long start = buffer.bump(chunk, byteSize, byteAlignment);
        if (start < 0) {
            start = refill(buffer, byteSize, byteAlignment);
            chunk = buffer.claimedIn;
        }
        if (stats != null) {
            stats.allocatedInReserved();
        }
        prepare(chunk.segment, start, byteSize);
        return chunk.segment.asSlice(start, byteSize);
    }

    /** {@link #allocate} on a virtual thread: through a striped buffer, or on its own when the stripe is held. */
    private MemorySegment allocateStriped(long byteSize, long byteAlignment) {
        ThreadBuffer buffer = stripe();
        ActiveChunk chunk;
        long start;
        if (!buffer.tryAcquire()) {
            ThreadBuffer holder = new ThreadBuffer(null);
            start = claimShared(holder, byteSize, byteAlignment);
            chunk = holder.claimedIn;
        } else {
            try {
                chunk = active;
                start = buffer.bump(chunk, byteSize, byteAlignment);
                if (start < 0) {
                    start = refill(buffer, byteSize, byteAlignment);
                    chunk = buffer.claimedIn;
                }
            } finally {
                buffer.release();
            }
        }
        if (stats != null) {
            stats.allocatedInReserved();
        }
        prepare(chunk.segment, start, byteSize);
        return chunk.segment.asSlice(start, byteSize);
    }

    /**
     * The calling platform thread's buffer: from its slot in {@code slots} when it sits there, else from
     * {@code local}.
     */
    private ThreadBuffer platformBuffer() {
        Thread thread = Thread.currentThread();
        int slot = slotOf(thread);
        if (slotOwners[slot] == thread) {
            ThreadBuffer buffer = slots[slot];
            if (buffer != null && buffer.owner == thread) {
                return buffer;
            }
        }
        return platformBufferSlow(thread, slot);
    }

    /** The slot of {@code slots} a platform thread's buffer may sit in: a multiplicative hash of its id. */
    private static int slotOf(Thread thread) {
        return (int) ((thread.threadId() * 0x9E3779B97F4A7C15L) >>> (64 - SLOT_BITS));
    }

    /**
     * The calling platform thread's buffer from {@code local}, put in its slot when the slot is empty or holds the
     * buffer of a thread that has ended; the first buffer the arena hands out is also kept in {@code firstBuffer},
     * which the hot paths read first.
     */
    private ThreadBuffer platformBufferSlow(Thread thread, int slot) {
        ThreadBuffer buffer = local.get();
        if (firstBuffer == null) {
            firstBuffer = buffer;
            firstOwner = thread;
        }
        Thread there = slotOwners[slot];
        if (there == null || !there.isAlive()) {
            slots[slot] = buffer;
            slotOwners[slot] = thread;
        }
        return buffer;
    }

    /** The striped buffer of the calling virtual thread: a multiplicative hash of its id. */
    private ThreadBuffer stripe() {
        long hash = Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
        return stripes[(int) (hash >>> 40) & (stripes.length - 1)];
    }

    /**
     * The slow path of an allocation whose request {@code buffer} (held by the caller) does not hold: grows the
     * buffer in place when it ends where the chunk's used bytes end; claims a large request on its own; otherwise
     * reserves a new buffer that starts with the request, moving a growable arena to its next chunk under the lock
     * when the request does not fit in the current one. Counts the bytes the arena's position moved by, and what
     * the old buffer gives up.
     *
     * @return the start of the allocation in {@code buffer.claimedIn}'s segment
     * @throws AllocationException {@link io.nebula.memory.ErrorCode#OUT_OF_MEMORY} when the request does not fit
     */
    private long refill(ThreadBuffer buffer, long byteSize, long byteAlignment) {
        while (true) {
            ActiveChunk chunk = active;
            if (buffer.chunk == chunk) {
                long start = chunk.start(buffer.top, byteAlignment);
                if (byteSize <= chunk.size - start) {
                    long end = start + byteSize;
                    long limit = ActiveChunk.bufferEnd(buffer.limit, end, chunk.size, bufferBytes);
                    if (chunk.move(buffer.limit, limit)) {
                        reservedBytes(limit - buffer.limit, chunk.usedBefore + limit);
                        buffer.reset(chunk, end, limit);
                        buffer.claimedIn = chunk;
                        return start;
                    }
                }
            }
            if (byteSize > largeRequest - (byteAlignment - 1)) {
                return claimShared(buffer, byteSize, byteAlignment);
            }
            long used = chunk.reserve(byteSize, byteAlignment, bufferBytes);
            if (used >= 0) {
                return useNewBuffer(buffer, chunk, used, byteSize, byteAlignment, chunk.usedBefore + used);
            }
            if (chunk.top() == ActiveChunk.SEALED) {
                awaitNewPeriod();
                continue;
            }
            if (chain == null) {
                throw Events.allocationError(failed(refusal(byteSize, byteAlignment)));
            }
            life.lock();
            try {
                life.checkNotClosed(this);
                if (active != chunk) {
                    continue;
                }
                used = chunk.reserve(byteSize, byteAlignment, bufferBytes);
                if (used >= 0) {
                    return useNewBuffer(buffer, chunk, used, byteSize, byteAlignment, chunk.usedBefore + used);
                }
                ActiveChunk moved = moveToNextChunk(chunk, byteSize, byteAlignment, bufferBytes);
                long wasUsed = chunk.usedBefore + chain.end(chain.current() - 1);
                return useNewBuffer(buffer, moved, 0, byteSize, byteAlignment, wasUsed);
            } finally {
                life.unlock();
            }
        }
    }

    /**
     * Points {@code buffer} at the buffer just reserved in {@code chunk} from {@code used}, with the request at its
     * start, and counts it: the rest of the old buffer as wasted when it was still usable, and the bytes the arena's
     * position moved by since {@code wasUsed} (a chunk's skipped tail included).
     */
    private long useNewBuffer(ThreadBuffer buffer, ActiveChunk chunk, long used, long byteSize, long byteAlignment,
                              long wasUsed) {
        long start = chunk.start(used, byteAlignment);
        long end = start + byteSize;
        long limit = ActiveChunk.bufferEnd(used, end, chunk.size, bufferBytes);
        if (stats != null) {
            if (buffer.chunk != null && buffer.chunk.top() != ActiveChunk.SEALED) {
                stats.wasted(buffer.limit - buffer.top);
            }
            stats.reserved(chunk.usedBefore + limit - wasUsed, chunk.usedBefore + limit);
        }
        buffer.reset(chunk, end, limit);
        buffer.claimedIn = chunk;
        return start;
    }

    private void reservedBytes(long bytes, long usedAfter) {
        if (stats != null) {
            stats.reserved(bytes, usedAfter);
        }
    }

    /**
     * Claims a request on its own, at the arena's position: a large request, or one of a virtual thread whose
     * striped buffer is held. A growable arena moves to its next chunk under the lock when the request does not
     * fit in the current one.
     *
     * @param holder receives, in {@code claimedIn}, the period the request landed in
     * @return the start of the allocation in {@code holder.claimedIn}'s segment
     */
    private long claimShared(ThreadBuffer holder, long byteSize, long byteAlignment) {
        while (true) {
            ActiveChunk chunk = active;
            long used = chunk.claim(byteSize, byteAlignment);
            if (used >= 0) {
                long start = chunk.start(used, byteAlignment);
                reservedBytes(start + byteSize - used, chunk.usedBefore + start + byteSize);
                holder.claimedIn = chunk;
                return start;
            }
            if (chunk.top() == ActiveChunk.SEALED) {
                awaitNewPeriod();
                continue;
            }
            if (chain == null) {
                throw Events.allocationError(failed(refusal(byteSize, byteAlignment)));
            }
            life.lock();
            try {
                life.checkNotClosed(this);
                if (active != chunk) {
                    continue;
                }
                used = chunk.claim(byteSize, byteAlignment);
                long start;
                long wasUsed;
                if (used >= 0) {
                    start = chunk.start(used, byteAlignment);
                    wasUsed = chunk.usedBefore + used;
                } else {
                    ActiveChunk left = chunk;
                    chunk = moveToNextChunk(left, byteSize, byteAlignment, 0);
                    start = chunk.start(0, byteAlignment);
                    wasUsed = left.usedBefore + chain.end(chain.current() - 1);
                }
                reservedBytes(chunk.usedBefore + start + byteSize - wasUsed, chunk.usedBefore + start + byteSize);
                holder.claimedIn = chunk;
                return start;
            } finally {
                life.unlock();
            }
        }
    }

    /**
     * Waits until the thread that sealed the current period (holding the lock) has published the next one: takes
     * the lock and gives it back.
     */
    private void awaitNewPeriod() {
        life.lock();
        life.unlock();
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
            if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment)) {
                throw Events.allocationError(failed(refusal(byteSize, byteAlignment)));
            }
            ActiveChunk chunk = active;
            int wasChunk = chain == null ? 0 : chain.current();
            long wasTop = chunk.top();
            long used = chunk.claim(byteSize, byteAlignment);
            long start;
            long wasUsed;
            if (used >= 0) {
                start = chunk.start(used, byteAlignment);
                wasUsed = chunk.usedBefore + used;
            } else if (chain == null) {
                throw Events.allocationError(failed(refusal(byteSize, byteAlignment)));
            } else {
                ActiveChunk left = chunk;
                chunk = moveToNextChunk(left, byteSize, byteAlignment, 0);
                start = chunk.start(0, byteAlignment);
                wasUsed = left.usedBefore + wasTop;
            }
            MemorySegment segment;
            try {
                segment = levelSegment(byteSize, byteAlignment);
            } catch (OutOfMemoryError systemRefused) {
                if (chunk == active && (chain == null || chain.current() == wasChunk)) {
                    chunk.move(start + byteSize, used);
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
        } finally {
            life.unlock();
        }
    }

    /**
     * Under the lock: moves the arena from {@code current}, where the request does not fit, to the next chunk, with
     * the request already claimed at its start, and {@code bufferBytes} reserved there for a thread buffer (0 for
     * none, see {@link ActiveChunk#bufferEnd}).
     */
    private ActiveChunk moveToNextChunk(ActiveChunk current, long byteSize, long byteAlignment, long bufferBytes) {
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
        long top = ActiveChunk.bufferEnd(0, start + byteSize, segment.byteSize(), bufferBytes);
        ActiveChunk moved = new ActiveChunk(segment, chain.start(next), top);
        active = moved;
        return moved;
    }

    /**
     * The error for an invalid request, or for a request that a fixed arena cannot hold; {@code null} when the
     * request is valid and the arena is growable. Describes the arena only when there is an error.
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
        long base = memory.address();
        return BumpErrors.outOfMemory(toString(), config.origin(), byteSize, byteAlignment, used,
                memory.byteSize(), Requests.alignUp(base + used, byteAlignment) - base);
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

    /**
     * Under the lock: pushes a checkpoint at the current position, after the calling platform thread gives back the
     * unused rest of its buffer when nothing was reserved after it. Starts a new period, which retires every thread
     * buffer: what any thread allocates after the checkpoint lies above it, and the unused rests of the other
     * threads' buffers stay below it, used, until a release below them.
     */
    private BumpCheckpoint push(boolean scope) {
        ActiveChunk chunk = active;
        if (!Thread.currentThread().isVirtual()) {
            ThreadBuffer mine = platformBuffer();
            if (mine.chunk == chunk && mine.limit > mine.top && chunk.move(mine.limit, mine.top)) {
                reservedBytes(mine.top - mine.limit, 0);
                mine.limit = mine.top;
            }
        }
        long top = chunk.seal();
        active = new ActiveChunk(chunk.segment, chunk.usedBefore, top);
        return checkpoints.push(this, chunk.usedBefore, top, scope);
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
            ActiveChunk chunk = active;
            long sealedAt = chunk.seal();
            long released;
            if (mine.chunkStart == chunk.usedBefore) {
                released = sealedAt - mine.top;
                active = new ActiveChunk(chunk.segment, chunk.usedBefore, mine.top);
            } else {
                released = sealedAt + chunk.usedBefore - target;
                int index = chain.find(target);
                chain.rewind(index);
                active = new ActiveChunk(chain.segment(index), chain.start(index), target - chain.start(index));
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
            ActiveChunk chunk = active;
            long released = chunk.seal() + chunk.usedBefore;
            if (chain != null) {
                chain.reset();
            }
            active = new ActiveChunk(chain == null ? memory : chain.segment(0), 0, 0);
            released(RESET, released);
        } finally {
            life.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread buffers count in full from the moment they are reserved: the bytes a thread reserved and has not
     * used yet are used bytes (they are no longer available to any other thread). Read under the lock, so the
     * figure is never one of a period being replaced.
     */
    @Override
    public long usedBytes() {
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
            return memory.byteSize();
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
            long offset = segment.address() - memory.address();
            return offset >= 0 && offset <= memory.byteSize() && segment.byteSize() <= memory.byteSize() - offset;
        }
        life.lock();
        try {
            return chain.owns(segment);
        } finally {
            life.unlock();
        }
    }
}
