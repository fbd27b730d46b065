package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakReport;
import io.nebula.memory.internal.AllocatorBase;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Failure;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An arena: allocation moves a pointer forward through one block of native memory; memory comes back all at once.
 *
 * <p>Best for request handlers, parsers, compilers and any work whose temporary data dies together.
 * <pre>{@code
 * try (BumpAllocator arena = BumpAllocator.create(64 * 1024)) {
 *     MemorySegment header = arena.allocate(ValueLayout.JAVA_LONG, 4);
 *     try (BumpScope scope = arena.scope()) {
 *         MemorySegment scratch = arena.allocate(4096);   // released when the scope closes
 *     }
 *     arena.reset();                                       // O(1): everything released
 * }                                                        // native memory freed
 * }</pre>
 *
 * <h2>Costs</h2>
 * <ul>
 *   <li>{@link #allocateOffset(long, long)}: an alignment round-up, a bounds check and a store (a compare-and-set
 *       when thread-safe): no locks, no heap allocation.</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller.</li>
 *   <li>{@link #deallocate(MemorySegment)}: an ownership check; memory is not reused until a reset or
 *       restore.</li>
 *   <li>{@link #reset()}, {@link #restore(Checkpoint)}: O(1); O(bytes released) with
 *       {@link BumpConfig#zeroOnReset()}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * By default an arena is confined to the thread that created it: a call from any other thread throws
 * {@link ErrorCode#WRONG_THREAD}, and its segments can only be accessed from that thread. With
 * {@link BumpConfig#threadSafe()} any thread may allocate; allocation is a lock-free compare-and-set on the bump
 * offset. Checkpoints, scopes, {@link #restore(Checkpoint)} and {@link #reset()} then act on the arena as a whole:
 * a restore releases what <em>every</em> thread allocated since the checkpoint, atomically with respect to
 * concurrent allocations (each one lands either before the release, and is released, or after it). They take a
 * lock among themselves, never against allocation. Release such memory only when the threads that allocated it
 * are done with it, as with any arena.
 *
 * <h2>Checked mode</h2>
 * With {@link BumpConfig#checked()} (or {@code -Dnebula.memory.checked=true}), every segment returned by
 * {@link #allocate(long, long)} comes from a JDK arena that lives exactly as long as the checkpoint level it was
 * allocated in: restoring past it, resetting or closing closes that arena, so a stale segment throws
 * {@link IllegalStateException} on its next access instead of reading newer data. Capacity accounting is unchanged,
 * so out-of-memory errors happen exactly where they would unchecked. It costs a JDK arena allocation (zeroed) per
 * allocation and an arena close per release: a debugging mode. Offsets from {@link #allocateOffset(long, long)}
 * index {@link #segment()}, which lives until {@link #close()}: checked mode cannot check them.
 */
public final class BumpAllocator extends AllocatorBase {

    /** Alignment of the backing block: one cache line. */
    private static final long BLOCK_ALIGNMENT = 64;

    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(BumpAllocator.class, "top", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment memory;
    private final long base;
    private final long capacity;
    private final BumpConfig config;
    private final boolean checked;
    private final boolean fill;
    private final byte pattern;
    private final boolean zeroOnRelease;
    private final boolean zeroOnAllocate;
    /** The bump offset; accessed through {@link #TOP} when thread-safe. */
    private long top;

    /** Ids of the live checkpoints, outermost first. */
    private long[] checkpointIds = new long[8];
    /** The offset each live checkpoint saved. */
    private long[] checkpointOffsets = new long[8];
    /**
     * Whether each live checkpoint belongs to an open {@link BumpScope} (a leak if still open at close). Flags, not
     * the scope objects, so that a scope does not escape and the JIT can remove it.
     */
    private boolean[] scopeAt = new boolean[8];
    /** Checked mode: where each open scope was opened, for leak reports; {@code null} otherwise. */
    private StackTraceElement[][] scopeSites;
    private int checkpointDepth;
    private long nextCheckpointId = 1;
    /** Checked mode: the arena of each checkpoint level; level {@code d} serves allocations at depth {@code d}. */
    private Arena[] levels;

    private BumpAllocator(long capacity, BumpConfig config) {
        super(config.threadSafe(), config.trackStats(), config.leakPolicy());
        this.capacity = capacity;
        this.config = config;
        this.checked = CheckedMode.effective(config.checked());
        this.memory = NativeMemory.reserve(arena, capacity, BLOCK_ALIGNMENT, "BumpAllocator");
        this.base = memory.address();
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.zeroOnRelease = config.zeroOnReset() && !shared;
        this.zeroOnAllocate = config.zeroOnReset() && shared && !fill;
        if (checked) {
            levels = new Arena[8];
            levels[0] = newArena();
            scopeSites = new StackTraceElement[8][];
        }
        trackStatistics();
    }

    /**
     * Creates a confined bump allocator of {@code capacity} bytes with the default configuration.
     *
     * @param capacity the bytes to reserve, at least one
     * @return the allocator, confined to the calling thread
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code capacity < 1}, or
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     */
    public static BumpAllocator create(long capacity) {
        return create(capacity, BumpConfig.defaults());
    }

    /**
     * Creates a bump allocator of {@code capacity} bytes.
     *
     * @param capacity the bytes to reserve, at least one
     * @param config   the configuration
     * @return the allocator: confined to the calling thread unless {@code config.threadSafe()}
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code capacity < 1}, or
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     */
    public static BumpAllocator create(long capacity, BumpConfig config) {
        Objects.requireNonNull(config, "config");
        if (capacity < 1) {
            throw Events.allocationError(Failure.of(ErrorCode.INVALID_SIZE)
                    .allocator("BumpAllocator")
                    .request(capacity, BLOCK_ALIGNMENT)
                    .details("the capacity must be at least 1 byte, was " + capacity)
                    .suggest("Pass the total bytes the arena must hold between resets, for example 64 * 1024.")
                    .build());
        }
        return new BumpAllocator(capacity, config);
    }

    /**
     * Returns the configuration this allocator was created with.
     *
     * @return the configuration
     */
    public BumpConfig config() {
        return config;
    }

    /**
     * Tells whether checked mode is on, by the config or by {@code -Dnebula.memory.checked=true}.
     *
     * @return {@code true} in checked mode
     */
    public boolean isChecked() {
        return checked;
    }

    /**
     * Returns the whole backing block. Offsets returned by {@link #allocateOffset(long, long)} index into it.
     *
     * @return the backing segment, {@link #capacityBytes()} bytes long
     */
    public MemorySegment segment() {
        return memory;
    }

    /**
     * Allocates like {@link #allocate(long, long)} but returns the offset of the new memory in {@link #segment()}
     * instead of a segment: the zero-garbage path for hot loops.
     * <pre>{@code
     * MemorySegment block = arena.segment();
     * long p = arena.allocateOffset(8, 8);
     * block.set(ValueLayout.JAVA_LONG, p, 42L);
     * }</pre>
     *
     * @param byteSize      the size in bytes, zero or more
     * @param byteAlignment the alignment of the resulting address, a power of two
     * @return the offset of the allocation in {@link #segment()}
     * @throws AllocationException as {@link #allocate(long, long)}
     */
    public long allocateOffset(long byteSize, long byteAlignment) {
        long start = reserveRange(byteSize, byteAlignment);
        prepare(memory, start, byteSize);
        return start;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Costs one {@link #allocateOffset(long, long)} and one {@code asSlice}; in checked mode, a JDK arena
     * allocation.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (checked) {
            return allocateChecked(byteSize, byteAlignment);
        }
        long start = reserveRange(byteSize, byteAlignment);
        prepare(memory, start, byteSize);
        return memory.asSlice(start, byteSize);
    }

    /** Moves the bump offset past a new range and returns the range's start; writes nothing into it. */
    private long reserveRange(long byteSize, long byteAlignment) {
        if (shared) {
            return reserveShared(byteSize, byteAlignment);
        }
        checkOwner();
        long current = top;
        long start = Requests.alignUp(base + current, byteAlignment) - base;
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > capacity - start) {
            throw Events.allocationError(allocationFailure(byteSize, byteAlignment, current));
        }
        long end = start + byteSize;
        top = end;
        if (stats != null) {
            stats.allocated(byteSize, end);
        }
        return start;
    }

    private long reserveShared(long byteSize, long byteAlignment) {
        checkNotClosed();
        long current = (long) TOP.getVolatile(this);
        while (true) {
            long start = Requests.alignUp(base + current, byteAlignment) - base;
            if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > capacity - start) {
                throw Events.allocationError(allocationFailure(byteSize, byteAlignment, current));
            }
            long end = start + byteSize;
            long witness = (long) TOP.compareAndExchange(this, current, end);
            if (witness == current) {
                if (stats != null) {
                    stats.allocated(byteSize, end);
                }
                return start;
            }
            current = witness;
        }
    }

    /** Writes the fill pattern, or zeros where the config asks for them, over a new allocation. */
    private void prepare(MemorySegment target, long offset, long byteSize) {
        if (fill) {
            MemoryKernels.fill(target, offset, byteSize, pattern);
        } else if (zeroOnAllocate) {
            MemoryKernels.fill(target, offset, byteSize, (byte) 0);
        }
    }

    private MemorySegment allocateChecked(long byteSize, long byteAlignment) {
        if (shared) {
            lock.lock();
            try {
                reserveShared(byteSize, byteAlignment);
                return levelSegment(byteSize, byteAlignment);
            } finally {
                lock.unlock();
            }
        }
        reserveRange(byteSize, byteAlignment);
        return levelSegment(byteSize, byteAlignment);
    }

    private MemorySegment levelSegment(long byteSize, long byteAlignment) {
        MemorySegment segment = levels[checkpointDepth].allocate(byteSize, byteAlignment);
        if (fill) {
            MemoryKernels.fill(segment, 0, segment.byteSize(), pattern);
        }
        return segment;
    }

    /**
     * Checks that the segment belongs to this allocator and otherwise does nothing: a bump allocator takes memory
     * back only in bulk, by {@link #reset()} or {@link #restore(Checkpoint)}.
     *
     * @param segment a segment that this allocator returned
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the segment is not this allocator's, or
     *     in checked mode {@link ErrorCode#USE_AFTER_FREE} when it was already released
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOpen();
        if (checked && !segment.scope().isAlive()) {
            throw Events.allocationError(Failure.of(ErrorCode.USE_AFTER_FREE)
                    .allocator(toString())
                    .request(segment.byteSize(), 1)
                    .memory(availableBytes(), usedBytes())
                    .details("the segment (" + segment.byteSize() + " bytes) was released by an earlier restore or"
                            + " reset of this arena")
                    .suggest("Do not keep segments past the scope or checkpoint they were allocated in.")
                    .build());
        }
        if (!owns(segment)) {
            throw Events.allocationError(foreign(segment));
        }
    }

    /**
     * Saves the current position. Pair it with {@link #restore(Checkpoint)}, or use {@link #scope()}.
     *
     * @return a checkpoint nested inside every live checkpoint
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public Checkpoint checkpoint() {
        lockIfShared();
        try {
            checkOpen();
            return push();
        } finally {
            unlockIfShared();
        }
    }

    /**
     * Opens a scope: a checkpoint restored and discarded when the scope closes.
     *
     * @return the scope, to use in try-with-resources
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public BumpScope scope() {
        lockIfShared();
        try {
            checkOpen();
            Checkpoint checkpoint = push();
            scopeAt[checkpoint.depth] = true;
            if (checked) {
                scopeSites[checkpoint.depth] = CheckedMode.captureSite();
            }
            return new BumpScope(this, checkpoint);
        } finally {
            unlockIfShared();
        }
    }

    /** Pushes a plain checkpoint (not a scope's) one level deeper. */
    private Checkpoint push() {
        if (checkpointDepth == checkpointIds.length) {
            int length = checkpointDepth * 2;
            checkpointIds = Arrays.copyOf(checkpointIds, length);
            checkpointOffsets = Arrays.copyOf(checkpointOffsets, length);
            scopeAt = Arrays.copyOf(scopeAt, length);
            if (checked) {
                scopeSites = Arrays.copyOf(scopeSites, length);
            }
        }
        int depth = checkpointDepth;
        long id = nextCheckpointId++;
        long offset = shared ? (long) TOP.getVolatile(this) : top;
        Checkpoint checkpoint = new Checkpoint(this, id, depth, offset);
        if (checked) {
            if (depth + 1 == levels.length) {
                levels = Arrays.copyOf(levels, levels.length * 2);
            }
            levels[depth + 1] = newArena();
        }
        checkpointIds[depth] = id;
        checkpointOffsets[depth] = offset;
        scopeAt[depth] = false;
        checkpointDepth = depth + 1;
        return checkpoint;
    }

    /**
     * Releases everything allocated since {@code checkpoint} was taken, and discards the checkpoint together with
     * every checkpoint taken after it. To come back to the same position again, take a new checkpoint there:
     * <pre>{@code
     * Checkpoint mark = arena.checkpoint();
     * try {
     *     ...                       // allocations released below
     * } finally {
     *     arena.restore(mark);
     * }
     * }</pre>
     * Costs O(1), or O(bytes released) with {@link BumpConfig#zeroOnReset()}; the checkpoint object does not
     * escape, so the JIT can keep the pair above free of heap allocation.
     *
     * @param checkpoint a live checkpoint of this allocator
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when the checkpoint belongs to another
     *     allocator, or was discarded by an earlier restore (of it or of an enclosing checkpoint), by the close of
     *     its scope or by a reset
     */
    public void restore(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        lockIfShared();
        try {
            checkOpen();
            validate(checkpoint);
            discardFrom(checkpoint.depth);
            releaseTo(checkpoint.offset, "restore");
        } finally {
            unlockIfShared();
        }
    }

    private void validate(Checkpoint checkpoint) {
        if (checkpoint.owner != this) {
            throw Events.allocationError(invalidCheckpoint(checkpoint, "it was taken on another allocator, " + checkpoint.owner));
        }
        if (checkpoint.depth >= checkpointDepth || checkpointIds[checkpoint.depth] != checkpoint.id) {
            throw Events.allocationError(invalidCheckpoint(checkpoint, "it was discarded by an earlier restore (of it or of an enclosing"
                    + " checkpoint), the close of its scope, or reset(); " + checkpointDepth + " checkpoint(s) are live"));
        }
    }

    /**
     * Discards every checkpoint at index {@code depth} or deeper. In checked mode, closes the level arenas of the
     * allocations made after those checkpoints.
     */
    private void discardFrom(int depth) {
        if (checked) {
            for (int level = depth + 1; level <= checkpointDepth; level++) {
                levels[level].close();
                levels[level] = null;
            }
        }
        if (checked) {
            Arrays.fill(scopeSites, depth, checkpointDepth, null);
        }
        checkpointDepth = depth;
    }

    /** Checked mode: closes the arena of one level, releasing its allocations, and opens a fresh one. */
    private void renewLevel(int level) {
        if (checked) {
            levels[level].close();
            levels[level] = newArena();
        }
    }

    /**
     * Releases every allocation and discards every checkpoint. O(1), or O(bytes used) with
     * {@link BumpConfig#zeroOnReset()}.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public void reset() {
        lockIfShared();
        try {
            checkOpen();
            discardFrom(0);
            renewLevel(0);
            releaseTo(0, "reset");
        } finally {
            unlockIfShared();
        }
    }

    private void releaseTo(long offset, String kind) {
        long released;
        if (shared) {
            released = (long) TOP.getAndSet(this, offset) - offset;
        } else {
            released = top - offset;
            if (zeroOnRelease && released > 0) {
                MemoryKernels.fill(memory, offset, released, (byte) 0);
            }
            top = offset;
        }
        if (stats != null) {
            stats.released(released);
        }
        Events.release(this, kind, released);
    }

    @Override
    public boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (isClosed() || !segment.isNative()) {
            return false;
        }
        long offset = segment.address() - base;
        if (offset >= 0 && offset <= capacity && segment.byteSize() <= capacity - offset) {
            return true;
        }
        if (checked) {
            Arena[] current = levels;
            for (int level = 0; level <= checkpointDepth && level < current.length; level++) {
                Arena arenaOfLevel = current[level];
                if (arenaOfLevel != null && segment.scope().equals(arenaOfLevel.scope())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public long usedBytes() {
        return shared ? (long) TOP.getVolatile(this) : top;
    }

    @Override
    public long availableBytes() {
        return capacity - usedBytes();
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a bump allocator: scopes still open, and the bytes allocated since the outermost of them.
     */
    @Override
    protected LeakReport leakReport() {
        long openScopes = 0;
        long outermost = -1;
        List<StackTraceElement[]> sites = new ArrayList<>();
        for (int depth = 0; depth < checkpointDepth; depth++) {
            if (!scopeAt[depth]) {
                continue;
            }
            openScopes++;
            if (outermost < 0) {
                outermost = checkpointOffsets[depth];
            }
            if (checked && sites.size() < LeakReport.MAX_SITES) {
                sites.add(scopeSites[depth]);
            }
        }
        long bytes = openScopes == 0 ? 0 : usedBytes() - outermost;
        return new LeakReport(toString(), openScopes, bytes, sites);
    }

    @Override
    protected void releaseCheckedArenas() {
        discardFrom(0);
        if (checked) {
            levels[0].close();
        }
    }

    @Override
    public String toString() {
        return "BumpAllocator[capacity=" + capacity + ", used=" + usedBytes() + (shared ? ", thread-safe" : "")
                + (checked ? ", checked" : "") + (isClosed() ? ", closed" : "") + "]";
    }

    private AllocationException allocationFailure(long byteSize, long byteAlignment, long current) {
        if (stats != null) {
            stats.failed();
        }
        AllocationException invalid = Requests.invalidRequest(toString(), byteSize, byteAlignment,
                capacity - current, current);
        if (invalid != null) {
            return invalid;
        }
        long start = Requests.alignUp(base + current, byteAlignment) - base;
        long padding = start - current;
        Failure error = Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(toString())
                .request(byteSize, byteAlignment)
                .memory(capacity - current, current)
                .details("the request needs " + byteSize + " bytes" + (padding > 0 ? " plus " + padding
                        + " bytes of alignment padding" : "") + " at offset " + current + " but only "
                        + (capacity - current) + " bytes remain");
        if (byteSize > capacity) {
            error.suggest("The request is larger than the whole arena (" + capacity + " bytes): create the arena"
                    + " with a capacity of at least " + byteSize + " bytes, or allocate this object elsewhere.");
        } else {
            long needed = start + byteSize;
            error.suggest("Increase the capacity to at least " + needed + " bytes (BumpAllocator.create("
                    + needed + ")).");
            error.suggest("Call reset(), or restore a checkpoint, to reclaim memory that is no longer needed.");
        }
        error.suggest("Use a PoolAllocator with allowGrowth when the total is not known in advance.");
        return error.build();
    }

    private AllocationException foreign(MemorySegment segment) {
        return Failure.of(ErrorCode.FOREIGN_SEGMENT)
                .allocator(toString())
                .request(segment.byteSize(), 1)
                .memory(availableBytes(), usedBytes())
                .details("the segment (" + segment.byteSize() + " bytes at address 0x"
                        + Long.toHexString(segment.address()) + (segment.isNative() ? "" : ", on the heap")
                        + ") is not inside this arena's block [0x" + Long.toHexString(base) + ", 0x"
                        + Long.toHexString(base + capacity) + ")")
                .suggest("Give each segment back to the allocator that returned it.")
                .build();
    }

    private AllocationException invalidCheckpoint(Checkpoint checkpoint, String why) {
        return Failure.of(ErrorCode.INVALID_CHECKPOINT)
                .allocator(toString())
                .memory(availableBytes(), usedBytes())
                .details(checkpoint + " cannot be restored: " + why)
                .suggest("Restore checkpoints in reverse order of creation (close nested scopes before outer ones).")
                .suggest("Take a new checkpoint after reset(); a reset discards every checkpoint.")
                .build();
    }
}
