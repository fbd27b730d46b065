package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.Resettable;
import io.nebula.memory.StatisticsProvider;
import io.nebula.memory.internal.Ownership;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.internal.StatisticsRecorder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

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
 *   <li>{@link #allocateOffset(long, long)}: an alignment round-up, a bounds check and a store: no locks, no heap
 *       allocation.</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller.</li>
 *   <li>{@link #deallocate(MemorySegment)}: an ownership check; memory is not reused until a reset or
 *       restore.</li>
 *   <li>{@link #reset()}, {@link #restore(Checkpoint)}: O(1); O(bytes released) with
 *       {@link BumpConfig#zeroOnReset()}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * A bump allocator is confined to the thread that created it: a call from any other thread throws
 * {@link ErrorCode#WRONG_THREAD}, and its segments can only be accessed from that thread.
 */
public final class BumpAllocator implements Allocator, MemoryUsage, Resettable, StatisticsProvider {

    /** Alignment of the backing block: one cache line. */
    private static final long BLOCK_ALIGNMENT = 64;

    private final Arena arena;
    private final MemorySegment memory;
    private final long base;
    private final long capacity;
    private final BumpConfig config;
    private final boolean fill;
    private final byte pattern;
    private final StatisticsRecorder stats;

    /** The thread that may use this allocator; {@code null} once closed. */
    private Thread owner;
    private long top;

    /** Ids of the live checkpoints, outermost first. */
    private long[] checkpointIds = new long[8];
    private int checkpointDepth;
    private long nextCheckpointId = 1;

    private BumpAllocator(long capacity, BumpConfig config) {
        this.capacity = capacity;
        this.config = config;
        this.arena = Arena.ofConfined();
        this.memory = reserve(arena, capacity, BLOCK_ALIGNMENT, "BumpAllocator");
        this.base = memory.address();
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.stats = config.trackStats() ? StatisticsRecorder.create(false) : null;
        this.owner = Thread.currentThread();
    }

    /**
     * Creates a bump allocator of {@code capacity} bytes with the default configuration.
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
     * @return the allocator, confined to the calling thread
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code capacity < 1}, or
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     */
    public static BumpAllocator create(long capacity, BumpConfig config) {
        Objects.requireNonNull(config, "config");
        if (capacity < 1) {
            throw AllocationException.builder(ErrorCode.INVALID_SIZE)
                    .allocator("BumpAllocator")
                    .request(capacity, BLOCK_ALIGNMENT)
                    .details("the capacity must be at least 1 byte, was " + capacity)
                    .suggest("Pass the total bytes the arena must hold between resets, for example 64 * 1024.")
                    .build();
        }
        return new BumpAllocator(capacity, config);
    }

    static MemorySegment reserve(Arena arena, long bytes, long alignment, String kind) {
        try {
            return arena.allocate(bytes, alignment);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            arena.close();
            throw AllocationException.builder(ErrorCode.OUT_OF_MEMORY)
                    .allocator(kind)
                    .request(bytes, alignment)
                    .details("the system could not reserve " + bytes + " bytes of native memory: " + e.getMessage())
                    .suggest("Ask for a smaller capacity.")
                    .suggest("Free native memory held elsewhere (other arenas, direct buffers) first.")
                    .build();
        }
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
        checkOwner();
        long start = Requests.alignUp(base + top, byteAlignment) - base;
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > capacity - start) {
            throw allocationFailure(byteSize, byteAlignment);
        }
        top = start + byteSize;
        if (fill) {
            memory.asSlice(start, byteSize).fill(pattern);
        }
        if (stats != null) {
            stats.allocated(byteSize, top);
        }
        return start;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Costs one {@link #allocateOffset(long, long)} and one {@code asSlice}.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return memory.asSlice(allocateOffset(byteSize, byteAlignment), byteSize);
    }

    /**
     * Checks that the segment belongs to this allocator and otherwise does nothing: a bump allocator takes memory
     * back only in bulk, by {@link #reset()} or {@link #restore(Checkpoint)}.
     *
     * @param segment a segment that this allocator returned
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the segment is not this allocator's
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOwner();
        if (!owns(segment)) {
            throw foreign(segment);
        }
    }

    /**
     * Saves the current position. Pair it with {@link #restore(Checkpoint)}, or use {@link #scope()}.
     *
     * @return a checkpoint nested inside every live checkpoint
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public Checkpoint checkpoint() {
        checkOwner();
        if (checkpointDepth == checkpointIds.length) {
            checkpointIds = Arrays.copyOf(checkpointIds, checkpointDepth * 2);
        }
        long id = nextCheckpointId++;
        int depth = checkpointDepth++;
        checkpointIds[depth] = id;
        return new Checkpoint(this, id, depth, top);
    }

    /**
     * Releases everything allocated since {@code checkpoint} was taken and discards the checkpoints taken after
     * it. The checkpoint itself stays live and may be restored again.
     *
     * @param checkpoint a live checkpoint of this allocator
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when the checkpoint belongs to another
     *     allocator or was discarded by an earlier restore or reset
     */
    public void restore(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        checkOwner();
        if (checkpoint.owner != this) {
            throw invalidCheckpoint(checkpoint, "it was taken on another allocator, " + checkpoint.owner);
        }
        if (checkpoint.depth >= checkpointDepth || checkpointIds[checkpoint.depth] != checkpoint.id) {
            throw invalidCheckpoint(checkpoint, "it was discarded by an earlier restore of an enclosing checkpoint"
                    + " or by reset(); " + checkpointDepth + " checkpoint(s) are live");
        }
        checkpointDepth = checkpoint.depth + 1;
        releaseTo(checkpoint.offset);
    }

    /**
     * Opens a scope: a checkpoint restored when the scope closes.
     *
     * @return the scope, to use in try-with-resources
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public BumpScope scope() {
        return new BumpScope(this, checkpoint());
    }

    /**
     * Releases every allocation and discards every checkpoint. O(1), or O(bytes used) with
     * {@link BumpConfig#zeroOnReset()}.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public void reset() {
        checkOwner();
        checkpointDepth = 0;
        releaseTo(0);
    }

    private void releaseTo(long offset) {
        long released = top - offset;
        if (config.zeroOnReset() && released > 0) {
            memory.asSlice(offset, released).fill((byte) 0);
        }
        top = offset;
        if (stats != null) {
            stats.released(released);
        }
    }

    @Override
    public boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (owner == null || !segment.isNative()) {
            return false;
        }
        long offset = segment.address() - base;
        return offset >= 0 && offset <= capacity && segment.byteSize() <= capacity - offset;
    }

    @Override
    public long usedBytes() {
        return top;
    }

    @Override
    public long availableBytes() {
        return capacity - top;
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    @Override
    public Optional<AllocationStatistics> statistics() {
        return stats == null ? Optional.empty() : Optional.of(stats.snapshot(top));
    }

    @Override
    public boolean isClosed() {
        return owner == null;
    }

    /**
     * Frees the native memory; every segment handed out becomes inaccessible. Closing again does nothing.
     *
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from a thread other than the owner
     */
    @Override
    public void close() {
        if (owner == null) {
            return;
        }
        if (owner != Thread.currentThread()) {
            throw Ownership.wrongThread(toString(), owner);
        }
        owner = null;
        checkpointDepth = 0;
        arena.close();
    }

    @Override
    public String toString() {
        return "BumpAllocator[capacity=" + capacity + ", used=" + top + (owner == null ? ", closed" : "") + "]";
    }

    private void checkOwner() {
        if (owner != Thread.currentThread()) {
            throw owner == null ? Ownership.closed(toString()) : Ownership.wrongThread(toString(), owner);
        }
    }

    private AllocationException allocationFailure(long byteSize, long byteAlignment) {
        if (stats != null) {
            stats.failed();
        }
        AllocationException invalid = Requests.invalidRequest(toString(), byteSize, byteAlignment,
                availableBytes(), usedBytes());
        if (invalid != null) {
            return invalid;
        }
        long start = Requests.alignUp(base + top, byteAlignment) - base;
        long padding = start - top;
        AllocationException.Builder error = AllocationException.builder(ErrorCode.OUT_OF_MEMORY)
                .allocator(toString())
                .request(byteSize, byteAlignment)
                .memory(availableBytes(), usedBytes())
                .details("the request needs " + byteSize + " bytes" + (padding > 0 ? " plus " + padding
                        + " bytes of alignment padding" : "") + " at offset " + top + " but only "
                        + availableBytes() + " bytes remain");
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
        return AllocationException.builder(ErrorCode.FOREIGN_SEGMENT)
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
        return AllocationException.builder(ErrorCode.INVALID_CHECKPOINT)
                .allocator(toString())
                .memory(availableBytes(), usedBytes())
                .details(checkpoint + " cannot be restored: " + why)
                .suggest("Restore checkpoints in reverse order of creation (close nested scopes before outer ones).")
                .suggest("Take a new checkpoint after reset(); a reset discards every checkpoint.")
                .build();
    }
}
