package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakReport;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.Resettable;
import io.nebula.memory.Scope;
import io.nebula.memory.StatisticsProvider;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.SegmentRequests;
import io.nebula.memory.internal.StatisticsRecorder;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.Optional;

/**
 * An arena: allocation moves a pointer forward through native memory; memory comes back all at once.
 *
 * <p>Best for request handlers, parsers, compilers and any work whose temporary data dies together.
 * <pre>{@code
 * try (BumpAllocator arena = BumpAllocator.create(64 * 1024)) {
 *     MemorySegment header = arena.allocate(ValueLayout.JAVA_LONG, 4);
 *     try (Scope _ = arena.scope()) {
 *         MemorySegment scratch = arena.allocate(4096);   // released when the scope closes
 *     }
 *     arena.reset();                                       // O(1): everything released
 * }                                                        // native memory freed
 * }</pre>
 *
 * <h2>Fixed and growable arenas</h2>
 * By default an arena is <em>fixed</em>: one block of the capacity given at creation, and
 * {@link ErrorCode#OUT_OF_MEMORY} when a request does not fit in what is left. With
 * {@link BumpConfig#withGrowth(long, long)} it is <em>growable</em>: the capacity is the size of its first chunk,
 * and a request that does not fit in the rest of the current chunk moves the arena to a new chunk, twice the size of
 * the previous new one up to a maximum chunk size, while the bytes reserved in all chunks stay under a limit (see
 * {@link BumpConfig.Growth}). For a growable arena:
 * <ul>
 *   <li>{@link #usedBytes()} counts the chunks before the current one in full, the tails they left unused
 *       included (a request that does not fit in the rest of a chunk skips that rest, as alignment padding is
 *       skipped), plus what is used in the current chunk. {@link #capacityBytes()} is the bytes reserved in all
 *       chunks, spares included; {@link #availableBytes()} is the difference: the rest of the current chunk and
 *       the spare chunks.</li>
 *   <li>Checkpoints, scopes and {@link #restore(Checkpoint)} work across chunks: restoring a checkpoint taken in an
 *       earlier chunk makes that chunk current again and releases everything after it. The later chunks are kept
 *       as spares, reused by later growth before anything new is reserved, so a loop that restores does not
 *       reserve native memory again and again. {@link #reset()} keeps the largest chunk and frees the others, or
 *       keeps all of them with {@link BumpConfig#withKeepAllChunks(boolean)}.</li>
 *   <li>There is no offset path: {@link #allocateOffset(long, long)} throws {@link ErrorCode#INVALID_SIZE}. Offsets
 *       exist to index one backing segment from a hot loop without creating any; a growable arena has no single
 *       segment, and an offset that also named its chunk (as a pool's handle does) would cost every access a chunk
 *       look-up and the fixed arena's fast path an extra operation. Use {@link #allocate(long, long)}: a segment
 *       that does not escape the caller costs no heap allocation.</li>
 * </ul>
 *
 * <h2>Costs</h2>
 * <ul>
 *   <li>{@link #allocateOffset(long, long)}: an alignment round-up, a bounds check and a store (a compare-and-set
 *       when thread-safe): no locks, no heap allocation.</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller. On a growable arena, moving to another chunk reserves native memory (unless a spare
 *       chunk holds the request) and, when thread-safe, takes the lock.</li>
 *   <li>{@link #deallocate(MemorySegment)}: an ownership check; memory is not reused until a reset or
 *       restore.</li>
 *   <li>{@link #checkpoint()} and {@link #restore(Checkpoint)}, {@link #scope()} and its close: a few loads and
 *       stores; a checkpoint or scope that does not escape costs no heap allocation. {@link #reset()}: O(1).
 *       With {@link BumpConfig#zeroOnRelease()}, O(bytes released). On a growable arena, a restore into an
 *       earlier chunk is O(chunks) and a reset frees chunks (each a JDK arena close).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * By default an arena is confined to the thread that created it: a call from any other thread throws
 * {@link ErrorCode#WRONG_THREAD}, and its segments can only be accessed from that thread. With
 * {@link BumpConfig#threadSafe()} any thread may allocate; allocation is a lock-free compare-and-set on the bump
 * offset (a growable arena moves to another chunk under a lock). Checkpoints, scopes, {@link #restore(Checkpoint)}
 * and {@link #reset()} then act on the arena as a whole: a restore releases what <em>every</em> thread allocated
 * since the checkpoint, atomically with respect to concurrent allocations (each one lands either before the
 * release, and is released, or after it). They take a lock among themselves, never against allocation. Release
 * such memory only when the threads that allocated it are done with it, as with any arena; a reset of a growable
 * arena may free the chunk such memory is in, and its segments are then closed.
 *
 * <h2>Checked mode</h2>
 * With {@link BumpConfig#checked()} (or {@code -Dnebula.memory.checked=true}), every segment returned by
 * {@link #allocate(long, long)} comes from a JDK arena that lives exactly as long as the checkpoint level it was
 * allocated in: restoring past it, resetting or closing closes that arena, so a stale segment throws
 * {@link IllegalStateException} on its next access instead of reading newer data. Capacity accounting, growth
 * included, is unchanged, so out-of-memory errors happen exactly where they would unchecked. It costs a JDK arena
 * allocation (zeroed) per allocation and an arena close per release: a debugging mode. Offsets from
 * {@link #allocateOffset(long, long)} index {@link #segment()}, which lives until {@link #close()}: checked mode
 * cannot check them.
 *
 * <h2>Leaks</h2>
 * Closing an arena while scopes opened by {@link #scope()} are still open reports them under the configured
 * {@link io.nebula.memory.LeakPolicy}: how many, and the bytes allocated since the outermost of them opened (in
 * checked mode, where each was opened). Plain checkpoints are never leaks.
 */
public abstract sealed class BumpAllocator implements Allocator, MemoryUsage, Resettable, StatisticsProvider
        permits ConfinedBump, SharedBump {

    /** Alignment of the backing block and of every chunk: one cache line. */
    static final long BLOCK_ALIGNMENT = 64;
    static final String RESTORE = "restore";
    static final String RESET = "reset";

    private final Lifecycle lifecycle;
    final BumpConfig config;
    final boolean checked;
    final boolean fill;
    final byte pattern;
    /** Zero released bytes when releasing them (confined arenas). */
    final boolean zeroOnRelease;
    /** Zero each new allocation instead (thread-safe arenas, where released bytes may still be in use). */
    final boolean zeroOnAllocate;
    /** The statistics, or {@code null} when not tracked. */
    final StatisticsRecorder stats;
    final CheckpointStack checkpoints;
    /** A growable arena's chunks; {@code null} for a fixed arena. */
    final ChunkChain chain;
    /** A fixed arena's block; {@code null} for a growable arena. */
    final MemorySegment block;

    BumpAllocator(Lifecycle lifecycle, long capacity, BumpConfig config) {
        this.lifecycle = lifecycle;
        this.config = config;
        this.checked = CheckedMode.effective(config.checked());
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.zeroOnRelease = config.zeroOnRelease() && !config.threadSafe();
        this.zeroOnAllocate = config.zeroOnRelease() && config.threadSafe() && !fill;
        this.stats = lifecycle.stats();
        Optional<BumpConfig.Growth> growth = config.growth();
        if (growth.isPresent()) {
            try {
                this.chain = new ChunkChain(lifecycle, this, stats, capacity, growth.get());
            } catch (AllocationException e) {
                lifecycle.arena().close();
                throw e;
            }
            this.block = null;
        } else {
            this.block = NativeMemory.reserve(lifecycle.arena(), capacity, BLOCK_ALIGNMENT, "BumpAllocator");
            this.chain = null;
        }
        this.checkpoints = new CheckpointStack(lifecycle, checked);
    }

    /**
     * Creates a confined, fixed bump allocator of {@code capacity} bytes with the default configuration.
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
     * Creates a bump allocator: a fixed arena of {@code capacity} bytes, or with {@link BumpConfig#growth()} a
     * growable one whose first chunk has {@code capacity} bytes.
     *
     * @param capacity the bytes to reserve (the first chunk's, for a growable arena), at least one
     * @param config   the configuration
     * @return the allocator: confined to the calling thread unless {@code config.threadSafe()}
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code capacity < 1} or larger than the
     *     growth limit, or {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     * @throws NullPointerException when {@code config} is {@code null}
     */
    public static BumpAllocator create(long capacity, BumpConfig config) {
        Objects.requireNonNull(config, "config");
        if (capacity < 1) {
            throw Events.allocationError(BumpErrors.invalidCapacity(capacity));
        }
        if (config.growth().isPresent() && capacity > config.growth().get().limitBytes()) {
            throw Events.allocationError(BumpErrors.capacityOverLimit(capacity, config.growth().get()));
        }
        // Through a factory typed BumpAllocator, not `new SharedBump`: verifying this method then loads no SharedBump,
        // so a program that only creates confined arenas has one implementation loaded and the JIT calls it
        // without a receiver type check.
        return config.threadSafe() ? SharedBump.of(capacity, config) : new ConfinedBump(capacity, config);
    }

    /**
     * Returns the configuration this allocator was created with.
     *
     * @return the configuration
     */
    public final BumpConfig config() {
        return config;
    }

    /**
     * Tells whether checked mode is on, by the config or by {@code -Dnebula.memory.checked=true}.
     *
     * @return {@code true} in checked mode
     */
    public final boolean isChecked() {
        return checked;
    }

    /**
     * Returns the number of chunks the arena holds, in use or spare: 1 for a fixed arena.
     *
     * @return the chunk count
     */
    public abstract int chunkCount();

    /**
     * Returns the backing memory. For a fixed arena, the whole block, {@link #capacityBytes()} bytes long: the
     * offsets returned by {@link #allocateOffset(long, long)} index it. For a growable arena, the chunk that
     * allocation bumps through now; it changes when the arena grows, restores into an earlier chunk or resets, and
     * is freed when a reset frees it.
     *
     * @return the block, or the current chunk
     */
    public abstract MemorySegment segment();

    /**
     * Allocates like {@link #allocate(long, long)} but returns the offset of the new memory in {@link #segment()}
     * instead of a segment: the zero-garbage path for hot loops, on fixed arenas.
     * <pre>{@code
     * MemorySegment block = arena.segment();
     * long p = arena.allocateOffset(8, 8);
     * block.set(ValueLayout.JAVA_LONG, p, 42L);
     * }</pre>
     *
     * @param byteSize      the size in bytes, zero or more
     * @param byteAlignment the alignment of the resulting address, a power of two
     * @return the offset of the allocation in {@link #segment()}
     * @throws AllocationException as {@link #allocate(long, long)}, and {@link ErrorCode#INVALID_SIZE} on a
     *     growable arena, which has no offset path (see the class documentation)
     */
    public abstract long allocateOffset(long byteSize, long byteAlignment);

    /**
     * {@inheritDoc}
     *
     * <p>Costs one bump and one {@code asSlice}; in checked mode, a JDK arena allocation. On a growable arena, a
     * request that does not fit in the current chunk moves to the next chunk.
     *
     * @throws AllocationException {@link ErrorCode#OUT_OF_MEMORY} when a fixed arena is full, or a growable arena
     *     would pass its limit; or any other error of {@link Allocator#allocate(long, long)}
     */
    @Override
    public abstract MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * {@inheritDoc}
     *
     * <p>Checks the count before allocating: a negative count, or one whose array would overflow a {@code long},
     * is a bad size like {@code allocate(-1, 8)} (where the JDK's default method throws
     * {@link IllegalArgumentException}).
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code count} is negative or the array's size
     *     overflows, or any error of {@link #allocate(long, long)}
     * @throws IllegalArgumentException when the element layout's size is not a multiple of its alignment
     * @throws NullPointerException when {@code elementLayout} is {@code null}
     */
    @Override
    public final MemorySegment allocate(MemoryLayout elementLayout, long count) {
        return allocate(arrayBytes(elementLayout, count), elementLayout.byteAlignment());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks the count and the source before allocating (the JDK's default method allocates first and checks the
     * source while copying it, which would cost the allocation): a call that throws has allocated nothing.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code elementCount} is negative or the
     *     array's size overflows, or any error of {@link #allocate(long, long)}
     * @throws IllegalArgumentException when the layouts differ in size, a layout's alignment is larger than its
     *     size, or the source is not aligned for {@code sourceElementLayout}
     * @throws IndexOutOfBoundsException when the elements do not lie inside {@code source}
     * @throws IllegalStateException when {@code source}'s scope is closed
     * @throws WrongThreadException when the calling thread cannot access {@code source}
     * @throws NullPointerException when an argument is {@code null}
     */
    @Override
    public final MemorySegment allocateFrom(ValueLayout elementLayout, MemorySegment source,
                                            ValueLayout sourceElementLayout, long sourceOffset, long elementCount) {
        return SegmentRequests.allocateFrom(this, arrayBytes(elementLayout, elementCount), elementLayout, source,
                sourceElementLayout, sourceOffset, elementCount);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks {@code value} before allocating: a call that throws has allocated nothing.
     *
     * @throws IllegalArgumentException when {@code value} is not a native segment
     * @throws AllocationException any error of {@link #allocate(long, long)}
     * @throws NullPointerException when an argument is {@code null}
     */
    @Override
    public final MemorySegment allocateFrom(AddressLayout layout, MemorySegment value) {
        return SegmentRequests.allocateFrom(this, layout, value);
    }

    /** The bytes of an array of {@code count} elements, or the counted {@link ErrorCode#INVALID_SIZE}. */
    private long arrayBytes(MemoryLayout elementLayout, long count) {
        long bytes = SegmentRequests.arrayBytes(elementLayout, count);
        if (bytes < 0) {
            if (stats != null) {
                stats.failed();
            }
            throw Events.allocationError(SegmentRequests.invalidCount(toString(), elementLayout, count,
                    availableBytes(), usedBytes()));
        }
        return bytes;
    }

    /**
     * Checks that the segment belongs to this allocator and otherwise does nothing: a bump allocator takes memory
     * back only in bulk, by {@link #reset()} or {@link #restore(Checkpoint)}.
     *
     * @param segment a segment that this allocator returned
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the segment is not this allocator's,
     *     in checked mode {@link ErrorCode#USE_AFTER_FREE} when it was already released, {@link ErrorCode#CLOSED}
     *     or {@link ErrorCode#WRONG_THREAD}
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public final void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkUsable();
        if (checked && !segment.scope().isAlive()) {
            throw Events.allocationError(BumpErrors.useAfterFree(toString(), segment, availableBytes(), usedBytes()));
        }
        if (!owns(segment)) {
            String where = block != null ? "this arena's block [0x" + Long.toHexString(block.address()) + ", 0x"
                    + Long.toHexString(block.address() + block.byteSize()) + ")" : "any of this arena's chunks";
            throw Events.allocationError(BumpErrors.foreignSegment(toString(), segment, availableBytes(),
                    usedBytes(), where));
        }
    }

    /**
     * Saves the current position. Pair it with {@link #restore(Checkpoint)}, or use {@link #scope()}.
     *
     * @return a checkpoint nested inside every live checkpoint
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public abstract Checkpoint checkpoint();

    /**
     * Opens a scope: a checkpoint restored and discarded when the scope closes. A scope whose close fails (from
     * the wrong thread, say) stays open and can be closed again.
     * <pre>{@code
     * try (Scope _ = arena.scope()) {
     *     MemorySegment tmp = arena.allocate(1024);
     * }   // tmp's bytes are released here
     * }</pre>
     *
     * @return the scope, to use in try-with-resources
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public abstract Scope scope();

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
     * Costs O(1), or O(bytes released) with {@link BumpConfig#zeroOnRelease()}; the checkpoint object does not
     * escape, so the JIT can keep the pair above free of heap allocation.
     *
     * @param checkpoint a live checkpoint of this allocator
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when the checkpoint belongs to another
     *     allocator or is not a bump allocator's, or was discarded by an earlier restore (of it or of an enclosing
     *     checkpoint), by the close of its scope or by a reset; {@link ErrorCode#CLOSED} or
     *     {@link ErrorCode#WRONG_THREAD}
     * @throws NullPointerException when {@code checkpoint} is {@code null}
     */
    public abstract void restore(Checkpoint checkpoint);

    /**
     * Releases every allocation and discards every checkpoint. O(1), or O(bytes used) with
     * {@link BumpConfig#zeroOnRelease()}. A growable arena keeps its largest chunk and frees the others, or keeps
     * all of them with {@link BumpConfig#withKeepAllChunks(boolean)}.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public abstract void reset();

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public final boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (isClosed() || !segment.isNative()) {
            return false;
        }
        return inMemory(segment) || checkpoints.ownsInLevels(segment);
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a growable arena: the bytes of the chunks before the current one, unused tails included, plus the
     * bytes used in the current chunk (see the class documentation).
     */
    @Override
    public abstract long usedBytes();

    /**
     * {@inheritDoc}
     *
     * <p>For a growable arena: the rest of the current chunk plus the spare chunks.
     */
    @Override
    public final long availableBytes() {
        return capacityBytes() - usedBytes();
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a growable arena: the bytes reserved in all chunks, in use or spare.
     */
    @Override
    public abstract long capacityBytes();

    @Override
    public final boolean isClosed() {
        return lifecycle.isClosed();
    }

    @Override
    public final Optional<AllocationStatistics> statistics() {
        return lifecycle.statistics(usedBytes());
    }

    /**
     * Frees the native memory: every segment handed out becomes inaccessible. Closing again does nothing. Scopes
     * still open are reported under the config's {@link io.nebula.memory.LeakPolicy}. A thread-safe allocator may
     * be closed by any thread, once the others are done with it.
     *
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from a thread other than a confined allocator's
     *     owner, or {@link ErrorCode#LEAK} when scopes are open and the leak policy is {@code FAIL} (the memory is
     *     freed all the same)
     */
    @Override
    public final void close() {
        lifecycle.close(this, this::leakReport, this::releaseResources);
    }

    @Override
    public final String toString() {
        return "BumpAllocator[capacity=" + capacityBytes() + ", used=" + usedBytes()
                + (chain != null ? ", chunks=" + chunkCount() + ", limit=" + chain.limitBytes() : "")
                + (config.threadSafe() ? ", thread-safe" : "") + (checked ? ", checked" : "")
                + (isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Closes a scope: restores its frame, with the errors of {@link #restore(Checkpoint)}. A confined arena
     * overrides it with a shorter path for the common case.
     */
    void closeScope(BumpScope scope) {
        restore(scope.checkpoint());
    }

    /** Called once when the arena closes, before anything is freed: forgets what the hot paths cache. */
    void closing() {
    }

    /** Checks that the calling thread may use the allocator: the owner check, or the closed check. */
    abstract void checkUsable();

    /** Tells whether a native segment lies inside the block or one of the chunks. */
    abstract boolean inMemory(MemorySegment segment);

    /**
     * Returns {@code checkpoint} as a live checkpoint of this allocator.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} saying why it is not one
     */
    final BumpCheckpoint live(Checkpoint checkpoint) {
        if (checkpoint instanceof BumpCheckpoint mine && mine.owner == this && checkpoints.isLive(mine)) {
            return mine;
        }
        boolean mine = checkpoint instanceof BumpCheckpoint bump && bump.owner == this;
        throw Events.allocationError(BumpErrors.invalidCheckpoint(toString(), availableBytes(), usedBytes(),
                checkpoint, whyNotLive(checkpoint), mine));
    }

    private String whyNotLive(Checkpoint checkpoint) {
        if (!(checkpoint instanceof BumpCheckpoint mine)) {
            return BumpErrors.anotherKind(checkpoint);
        }
        if (mine.owner != this) {
            return BumpErrors.anotherAllocator(mine.owner);
        }
        return BumpErrors.discarded(checkpoints.depth());
    }

    /** Writes the fill pattern, or zeros where the config asks for them, over a new allocation. */
    final void prepare(MemorySegment target, long offset, long byteSize) {
        if (fill) {
            MemoryKernels.fill(target, offset, byteSize, pattern);
        } else if (zeroOnAllocate) {
            MemoryKernels.fill(target, offset, byteSize, (byte) 0);
        }
    }

    /** Checked mode: a segment of the current level, the fill pattern written over it. */
    final MemorySegment levelSegment(long byteSize, long byteAlignment) {
        MemorySegment segment = checkpoints.allocateInLevel(byteSize, byteAlignment);
        if (fill) {
            MemoryKernels.fill(segment, 0, segment.byteSize(), pattern);
        }
        return segment;
    }

    /** Counts a failed allocation and returns its error. */
    final AllocationException failed(AllocationException error) {
        if (stats != null) {
            stats.failed();
        }
        return error;
    }

    /** Counts and records a bulk release. */
    final void released(String kind, long bytes) {
        if (stats != null) {
            stats.released(bytes);
        }
        Events.release(this, kind, bytes);
    }

    private LeakReport leakReport() {
        return checkpoints.leakReport(toString(), usedBytes());
    }

    private void releaseResources() {
        closing();
        checkpoints.closeAll();
        if (chain != null) {
            chain.closeAll();
        }
    }
}
