package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakReport;
import io.nebula.memory.internal.AllocatorBase;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Failure;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Leaks;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A pool of fixed-size blocks: allocation and deallocation in O(1), through a free list kept inside the free
 * blocks themselves.
 *
 * <p>Best for many objects of one size whose lifetimes are unrelated: nodes, messages, connections, particles.
 * <pre>{@code
 * try (PoolAllocator pool = PoolAllocator.create(64, 8, 1024)) {
 *     MemorySegment node = pool.allocate();                // one 64-byte block
 *     pool.deallocate(node);                               // back on the free list
 *
 *     long h = pool.allocateHandle();                      // the zero-garbage path
 *     pool.segment().set(ValueLayout.JAVA_LONG, h, 42L);   // a pool that never grew: h is an offset
 *     pool.deallocateHandle(h);
 * }                                                        // native memory freed
 * }</pre>
 *
 * <h2>Layout</h2>
 * Blocks sit {@link #stride()} bytes apart: the block size rounded up to a multiple of the block alignment and of
 * 8, because a free block holds the free-list link in its first 8 bytes. The blocks live in <em>chunks</em>, each
 * one segment of a single {@link Arena} that the pool owns. A pool starts with one chunk of {@code blockCount}
 * blocks; with {@link PoolConfig#allowGrowth()} it adds a chunk of the same block count whenever every block is in
 * use, up to {@link PoolConfig#maxBlocks()} blocks in all.
 *
 * <h2>Handles</h2>
 * {@link #allocateHandle()} returns a {@code long} instead of a segment, so that a hot loop allocates nothing on
 * the heap. A handle is the block's byte offset in its chunk's segment, with the chunk index above bit 40:
 * {@code handle = chunk << 40 | offset}. For chunk 0, which is all a pool that never grew has, the handle is the
 * offset into {@link #segment()}; in general, access a block through {@link #segmentOf(long)} at
 * {@link #offsetOf(long)}.
 *
 * <h2>Costs</h2>
 * <ul>
 *   <li>{@link #allocateHandle()}: pop the free list (one 8-byte load from the block), or else advance a
 *       frontier through blocks never handed out, then set the block's allocated bit: no locks, no heap
 *       allocation. Creating the pool writes no links, so construction does not touch the blocks (the JDK
 *       zero-fills the chunk when reserving it). Thread-safe: three atomic operations (a compare-and-set on the
 *       free list or the frontier, an atomic or on the allocated bits, an atomic add on the count in use).</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller.</li>
 *   <li>{@link #deallocateHandle(long)}: a bounds check, a test-and-clear of the allocated bit, one 8-byte store
 *       of the link. Thread-safe: the same three atomic operations as allocation.</li>
 *   <li>{@link #deallocate(MemorySegment)}: the same after finding the chunk that holds the address: one range
 *       check for chunk 0, a binary search over the chunks' addresses otherwise (O(log chunks)).</li>
 *   <li>Growing: one {@code Arena.allocate} of a chunk, which the JDK zero-fills.</li>
 *   <li>{@link #reset()}: O(chunks touched + blocks handed out since the last reset / 64); with
 *       {@link PoolConfig#zeroOnReset()}, O(bytes of those blocks).</li>
 *   <li>With a {@link PoolConfig#fillPattern() fill pattern}, each allocation also fills the block.</li>
 * </ul>
 *
 * <h2>Checks</h2>
 * Deallocation is always checked, in O(1), whatever the configuration: a segment or handle that is not the start
 * of a block of this pool throws {@link ErrorCode#FOREIGN_SEGMENT}, and a block that is already free throws
 * {@link ErrorCode#DOUBLE_FREE} (one allocated bit per block tells). What the pool cannot see, unless in checked
 * mode: a segment kept across {@link #reset()} names a block that may since have been handed out again, and giving
 * it back frees the new owner's block; and writing to a block after giving it back overwrites the free-list link
 * in its first 8 bytes. Every access stays bounds-checked by the FFM API, so neither can touch memory outside the
 * pool.
 *
 * <h2>Threads</h2>
 * By default a pool is confined to the thread that created it: a call from any other thread throws
 * {@link ErrorCode#WRONG_THREAD}, and its segments can only be accessed from that thread. With
 * {@link PoolConfig#threadSafe()} any thread may allocate blocks and give them back, blocks allocated by another
 * thread included; the chunks then belong to one shared {@link Arena}, created with the pool and closed by
 * {@link #close()}.
 * <ul>
 *   <li>Lock-free: {@link #allocate(long, long)}, {@link #allocateHandle()}, {@link #deallocate(MemorySegment)} and
 *       {@link #deallocateHandle(long)}. The free list is a stack whose head is one {@code long}: a 32-bit version
 *       above the 32-bit number of the first free block (its chunk, and its index in the chunk). Every push and pop
 *       is one compare-and-set that also moves the version on. A thread that read the head, then stalled while
 *       other threads popped that block and pushed it back, therefore fails its compare-and-set instead of
 *       installing the stale link it read (the ABA problem); the link in a free block is read without
 *       synchronisation for the same reason. Never-used blocks are handed out by a compare-and-set on a frontier.
 *       The allocated bit of each block is set and cleared by atomic or and and, so of two threads that give back
 *       the same block exactly one succeeds and the other gets {@link ErrorCode#DOUBLE_FREE}.</li>
 *   <li>Locked: adding a chunk, {@link #reset()} and {@link #close()} take a lock among themselves. Threads that
 *       find the pool full at once wait for it; one adds a chunk, the others check again and use it.
 *       {@link ErrorCode#OUT_OF_MEMORY} means that at one moment during the call every block was in use and the
 *       pool could not grow.</li>
 *   <li>{@link #reset()} and {@link #close()} act on every block, including the blocks other threads hold: call
 *       them only while no other thread uses the pool (between phases, after joining the workers). They are not
 *       atomic with respect to concurrent allocations and deallocations; a call that overlaps {@code close()} may
 *       fail with the FFM API's {@link IllegalStateException} (the memory is already freed) instead of
 *       {@link ErrorCode#CLOSED}.</li>
 *   <li>A thread-safe pool numbers its blocks in 32 bits: it holds at most {@code 2^32 / 2^ceil(log2 blockCount)}
 *       chunks, so at least 2<sup>31</sup> blocks.</li>
 * </ul>
 *
 * <h2>Checked mode</h2>
 * With {@link PoolConfig#checked()} (or {@code -Dnebula.memory.checked=true}), every segment returned by
 * {@link #allocate(long, long)} is backed by a JDK arena of its own (confined, or shared when the pool is
 * thread-safe) instead of by the block's memory. Giving the block back, {@link #reset()} and {@link #close()} close
 * that arena, so a stale segment throws {@link IllegalStateException} on its next access instead of reading or
 * overwriting the block's next owner, and giving it back again throws {@link ErrorCode#USE_AFTER_FREE}. The pool's
 * accounting is unchanged (the block is still taken from the free list or the frontier and marked allocated), so
 * {@link ErrorCode#OUT_OF_MEMORY} and {@link ErrorCode#DOUBLE_FREE} happen exactly where they would unchecked. It
 * costs a zeroed JDK allocation and a stack walk per allocation, and an arena close per deallocation (tens of
 * nanoseconds when confined; tens of microseconds when shared, since closing a shared arena synchronises with every
 * thread): a debugging mode. Handles from {@link #allocateHandle()} index the chunks, which live until
 * {@link #close()}: checked mode cannot check them, and only records where they were allocated.
 *
 * <h2>Leaks</h2>
 * {@link #close()} frees every chunk whatever is still handed out. Blocks not given back by then are reported under
 * {@link PoolConfig#leakPolicy()}: how many, their bytes (in strides) and, in checked mode, where each was allocated
 * (the first {@link LeakReport#MAX_SITES}).
 */
public final class PoolAllocator extends AllocatorBase {

    /** Bits of a handle that hold the byte offset in the chunk; the chunk index sits above them. */
    static final int CHUNK_SHIFT = 40;
    private static final long OFFSET_MASK = (1L << CHUNK_SHIFT) - 1;
    /** The largest chunk: offsets fit in 40 bits, and a chunk's allocated bits fit in one {@code long[]}. */
    static final long MAX_CHUNK_BYTES = 1L << 39;
    /** The most chunks a pool can hold: every handle stays non-negative. */
    static final int MAX_CHUNKS = 1 << (63 - CHUNK_SHIFT);
    /** The least alignment of a chunk: one cache line. */
    private static final long MIN_CHUNK_ALIGNMENT = 64;
    /** The bytes of the free-list link at the start of each free block. */
    private static final long LINK_BYTES = 8;
    /** The free-list link that ends a confined pool's list. */
    private static final long NO_BLOCK = -1;

    /**
     * Thread-safe pools: the low half of the free-list head, and of each link, holds a block number,
     * {@code chunk << indexBits | index in chunk}.
     */
    private static final long NUMBER_MASK = 0xFFFF_FFFFL;
    /** The block number that ends a thread-safe pool's free list; no block has it. */
    private static final long NO_NUMBER = NUMBER_MASK;
    /** One step of the version in the high half of the free-list head. */
    private static final long VERSION_ONE = 1L << 32;

    private static final VarHandle HEAD;
    private static final VarHandle FRESH;
    private static final VarHandle LIVE;
    private static final VarHandle CHUNKS;
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(PoolAllocator.class, "head", long.class);
            FRESH = lookup.findVarHandle(PoolAllocator.class, "fresh", long.class);
            LIVE = lookup.findVarHandle(PoolAllocator.class, "liveBlocks", long.class);
            CHUNKS = lookup.findVarHandle(PoolAllocator.class, "chunks", ChunkTable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long blockSize;
    private final long blockAlignment;
    private final long stride;
    private final int chunkBlocks;
    private final long chunkAlignment;
    /**
     * log2 of the largest power of two dividing the stride: every block start is a multiple of it, so
     * {@code offset >>> granuleShift} indexes a block's allocated bit without a division.
     */
    private final int granuleShift;
    /** log2 of the stride when it is a power of two, else -1: a block's index in its chunk without a division. */
    private final int strideShift;
    /** Thread-safe pools: the bits of a block number that hold the block's index in its chunk. */
    private final int indexBits;
    private final long indexMask;
    /** The most chunks this pool can hold: {@link #MAX_CHUNKS}, or fewer when block numbers must fit 32 bits. */
    private final int maxChunks;
    private final PoolConfig config;
    private final boolean checked;
    private final boolean fill;
    private final byte pattern;
    /** Checked mode only: the blocks handed out. */
    private final CheckedBlocks checkedBlocks;

    /** The chunks; read with acquire and replaced with release through {@link #CHUNKS} when thread-safe. */
    private ChunkTable chunks;
    /** Blocks in use; accessed through {@link #LIVE} when thread-safe. */
    private long liveBlocks;

    /** Confined pools: the handle of the first free block, or {@link #NO_BLOCK}. Each free block holds the next. */
    private long freeHead = NO_BLOCK;
    /** Confined pools: the chunk whose never-used blocks are handed out next; earlier chunks have none left. */
    private int frontierChunk;
    /** Confined pools: the handle of the next never-used block, and the handle past the frontier chunk's end. */
    private long frontier;
    private long frontierEnd;

    /**
     * Thread-safe pools, through {@link #HEAD}: the version in the high 32 bits, the number of the first free block
     * (or {@link #NO_NUMBER}) in the low 32 bits. Each free block holds the number of the next.
     */
    private long head = NO_NUMBER;
    /**
     * Thread-safe pools, through {@link #FRESH}: the number of the next never-used block. Its chunk may not exist
     * yet: then every block is handed out or free, and the next chunk added starts there.
     */
    private long fresh;

    private PoolAllocator(long blockSize, long blockAlignment, int blockCount, long stride, PoolConfig config) {
        super(config.threadSafe(), config.trackStats(), config.leakPolicy());
        this.blockSize = blockSize;
        this.stride = stride;
        this.chunkBlocks = blockCount;
        this.chunkAlignment = Math.max(blockAlignment, MIN_CHUNK_ALIGNMENT);
        this.blockAlignment = Math.min(chunkAlignment, Long.lowestOneBit(stride));
        this.granuleShift = Long.numberOfTrailingZeros(stride);
        this.strideShift = Long.bitCount(stride) == 1 ? granuleShift : -1;
        this.indexBits = 64 - Long.numberOfLeadingZeros(blockCount - 1L);
        this.indexMask = (1L << indexBits) - 1;
        this.config = config;
        this.checked = CheckedMode.effective(config.checked());
        this.maxChunks = shared ? (int) Math.min(MAX_CHUNKS, NUMBER_MASK >>> indexBits) : MAX_CHUNKS;
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.checkedBlocks = checked ? new CheckedBlocks(shared) : null;
        MemorySegment first = NativeMemory.reserve(arena, stride * blockCount, chunkAlignment, "PoolAllocator");
        this.chunks = ChunkTable.of(first, blockCount, granuleShift);
        enterChunk(0);
        trackStatistics();
    }
    /**
     * Creates a pool of {@code blockCount} blocks of {@code blockSize} bytes with the default configuration.
     *
     * @param blockSize      the size of each block in bytes, at least one
     * @param blockAlignment the least alignment of each block, a power of two
     * @param blockCount     the number of blocks, at least one
     * @return the pool, confined to the calling thread
     * @throws AllocationException as {@link #create(long, long, int, PoolConfig)}
     */
    public static PoolAllocator create(long blockSize, long blockAlignment, int blockCount) {
        return create(blockSize, blockAlignment, blockCount, PoolConfig.defaults());
    }

    /**
     * Creates a pool of {@code blockCount} blocks of {@code blockSize} bytes.
     *
     * @param blockSize      the size of each block in bytes, at least one
     * @param blockAlignment the least alignment of each block, a power of two
     * @param blockCount     the number of blocks in the first chunk, and in each chunk added by growth; at least
     *                       one and at most {@link PoolConfig#maxBlocks()}
     * @param config         the configuration
     * @return the pool: confined to the calling thread unless {@code config.threadSafe()}
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code blockSize < 1},
     *     {@code blockCount < 1}, {@code blockCount > config.maxBlocks()} or a chunk would exceed 512 GiB;
     *     {@link ErrorCode#INVALID_ALIGNMENT} when {@code blockAlignment} is not a positive power of two;
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     */
    public static PoolAllocator create(long blockSize, long blockAlignment, int blockCount, PoolConfig config) {
        Objects.requireNonNull(config, "config");
        if (blockSize < 1) {
            throw Events.allocationError(invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    "the block size must be at least 1 byte, was " + blockSize,
                    "Pass the size of the objects the pool holds, for example layout.byteSize()."));
        }
        if (!Requests.isPowerOfTwo(blockAlignment)) {
            long lower = blockAlignment > 0 ? Long.highestOneBit(blockAlignment) : 1;
            throw Events.allocationError(invalidShape(ErrorCode.INVALID_ALIGNMENT, blockSize, blockAlignment,
                    "the block alignment " + blockAlignment + " is not a positive power of two",
                    "Use a power of two such as " + lower + (lower < (1L << 62) ? " or " + (lower << 1) : "")
                            + ", or take it from a layout: layout.byteAlignment()."));
        }
        if (blockCount < 1) {
            throw Events.allocationError(invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    "the block count must be at least 1, was " + blockCount,
                    "Pass the number of blocks the pool must hold at once, for example 1024."));
        }
        if (blockCount > config.maxBlocks()) {
            throw Events.allocationError(invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    "the block count " + blockCount + " exceeds the configured maxBlocks " + config.maxBlocks(),
                    "Pass a block count of at most " + config.maxBlocks() + ", or raise the bound with"
                            + " PoolConfig.withMaxBlocks(" + blockCount + ")."));
        }
        long stride = blockSize > MAX_CHUNK_BYTES ? -1 : strideOf(blockSize, blockAlignment);
        if (stride < 0 || stride > MAX_CHUNK_BYTES / blockCount) {
            long perChunk = stride < 0 ? 0 : MAX_CHUNK_BYTES / stride;
            throw Events.allocationError(invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    blockCount + " blocks of " + blockSize + " bytes (alignment " + blockAlignment
                            + ") do not fit in one chunk of at most " + MAX_CHUNK_BYTES + " bytes (512 GiB)",
                    perChunk > 0
                            ? "Use at most " + perChunk + " blocks per chunk, with allowGrowth in PoolConfig to"
                                    + " add chunks as needed."
                            : "Blocks this large belong in their own arena, not a pool."));
        }
        return new PoolAllocator(blockSize, blockAlignment, blockCount, stride, config);
    }

    private static long strideOf(long blockSize, long blockAlignment) {
        return Requests.alignUp(blockSize, Math.max(LINK_BYTES, blockAlignment));
    }

    private static AllocationException invalidShape(ErrorCode code, long blockSize, long blockAlignment,
                                                    String details, String suggestion) {
        return Failure.of(code)
                .allocator("PoolAllocator")
                .request(blockSize, blockAlignment)
                .details(details)
                .suggest(suggestion)
                .build();
    }

    /**
     * Returns the configuration this pool was created with.
     *
     * @return the configuration
     */
    public PoolConfig config() {
        return config;
    }

    /**
     * Returns the size of each block.
     *
     * @return the block size in bytes
     */
    public long blockSize() {
        return blockSize;
    }

    /**
     * Returns the alignment that every block has: at least the one asked for at creation, and more when the
     * stride allows (a pool of 128-byte blocks created with alignment 8 has 64-byte aligned blocks). Requests
     * with up to this alignment are accepted.
     *
     * @return the block alignment in bytes, a power of two
     */
    public long blockAlignment() {
        return blockAlignment;
    }

    /**
     * Returns the distance between the starts of adjacent blocks: the block size rounded up to a multiple of the
     * requested alignment and of 8. {@link #usedBytes()} and {@link #availableBytes()} count in strides.
     *
     * @return the stride in bytes
     */
    public long stride() {
        return stride;
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
     * Returns the number of blocks the pool holds now, in use or free, over all its chunks.
     *
     * @return the block count
     */
    public long blockCount() {
        return table().totalBlocks;
    }

    /**
     * Returns the number of blocks that can be handed out without growing.
     *
     * @return the free block count
     */
    public long freeBlocks() {
        long live = live();
        return table().totalBlocks - live;
    }

    /**
     * Returns the number of chunks: one, plus one per growth.
     *
     * @return the chunk count
     */
    public int chunkCount() {
        return table().count;
    }

    /**
     * Returns the first chunk. Handles of blocks in this chunk are offsets into it; for a pool that never grew,
     * that is every handle.
     *
     * @return the first chunk's segment, {@code blockCount * stride()} bytes long at creation
     */
    public MemorySegment segment() {
        return table().segments[0];
    }

    /**
     * Returns the chunk that holds the block of {@code handle}; access the block at {@link #offsetOf(long)}.
     * <pre>{@code
     * long h = pool.allocateHandle();
     * pool.segmentOf(h).set(ValueLayout.JAVA_INT, PoolAllocator.offsetOf(h), 7);
     * }</pre>
     *
     * @param handle a handle returned by {@link #allocateHandle()}
     * @return the segment of the handle's chunk
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the handle names no chunk of this pool
     */
    public MemorySegment segmentOf(long handle) {
        ChunkTable table = table();
        if ((handle >>> CHUNK_SHIFT) >= table.count) {
            throw Events.allocationError(unknownChunk(table, handle));
        }
        return table.segments[(int) (handle >>> CHUNK_SHIFT)];
    }

    /**
     * Returns the byte offset of a handle's block in {@link #segmentOf(long) its chunk}.
     *
     * @param handle a handle returned by {@link #allocateHandle()}
     * @return the offset in bytes
     */
    public static long offsetOf(long handle) {
        return handle & OFFSET_MASK;
    }

    /**
     * Hands out one whole block: the zero-garbage counterpart of {@link #allocate()}. In checked mode the block is
     * not checked (see the class documentation); only where it was allocated is recorded.
     *
     * @return the block's handle; see {@link #segmentOf(long)} and {@link #offsetOf(long)}
     * @throws AllocationException {@link ErrorCode#OUT_OF_MEMORY} when every block is in use and the pool may not
     *     grow, or {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public long allocateHandle() {
        long handle;
        if (shared) {
            handle = takeShared(blockSize, blockAlignment);
        } else {
            checkOwner();
            handle = take(blockSize, blockAlignment);
        }
        if (checked) {
            checkedBlocks.handedOut(handle);
        }
        return handle;
    }

    /**
     * Hands out one whole block as a segment of {@link #blockSize()} bytes.
     *
     * @return the block
     * @throws AllocationException as {@link #allocateHandle()}
     */
    public MemorySegment allocate() {
        return allocate(blockSize, blockAlignment);
    }

    /**
     * Hands out one block, as a segment of exactly {@code byteSize} bytes at the block's start.
     *
     * <p>Any request that fits a block is served by a whole block: {@code byteSize} up to {@link #blockSize()}
     * and {@code byteAlignment} up to {@link #blockAlignment()}. Costs one {@link #allocateHandle()} and one
     * {@code asSlice}; in checked mode, a JDK arena and allocation of its own instead of the slice.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code byteSize} is negative or larger than
     *     the block size, {@link ErrorCode#INVALID_ALIGNMENT} when {@code byteAlignment} is not a power of two or
     *     larger than the block alignment, or any error of {@link #allocateHandle()}
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (shared) {
            return allocateShared(byteSize, byteAlignment);
        }
        checkOwner();
        if (byteSize < 0 || byteSize > blockSize || !Requests.isPowerOfTwo(byteAlignment)
                || byteAlignment > blockAlignment) {
            throw Events.allocationError(invalidRequest(byteSize, byteAlignment));
        }
        if (checked) {
            return checkedSegment(take(byteSize, byteAlignment), byteSize);
        }
        long handle = take(byteSize, byteAlignment);
        return chunks.segments[(int) (handle >>> CHUNK_SHIFT)].asSlice(handle & OFFSET_MASK, byteSize);
    }

    private MemorySegment allocateShared(long byteSize, long byteAlignment) {
        checkNotClosed();
        if (byteSize < 0 || byteSize > blockSize || !Requests.isPowerOfTwo(byteAlignment)
                || byteAlignment > blockAlignment) {
            throw Events.allocationError(invalidRequest(byteSize, byteAlignment));
        }
        long handle = takeShared(byteSize, byteAlignment);
        if (checked) {
            return checkedSegment(handle, byteSize);
        }
        return table().segments[(int) (handle >>> CHUNK_SHIFT)].asSlice(handle & OFFSET_MASK, byteSize);
    }

    /** Checked mode: backs the block just taken with a segment of its own arena, or gives the block back. */
    private MemorySegment checkedSegment(long handle, long byteSize) {
        MemorySegment segment;
        try {
            segment = checkedBlocks.segmentFor(handle, byteSize, blockAlignment);
        } catch (OutOfMemoryError e) {
            giveBack(table(), (int) (handle >>> CHUNK_SHIFT), handle & OFFSET_MASK, byteSize, null);
            throw Events.allocationError(checkedSegmentFailure(byteSize, e));
        }
        if (fill) {
            MemoryKernels.fill(segment, 0, segment.byteSize(), pattern);
        }
        return segment;
    }

    private long take(long byteSize, long byteAlignment) {
        long handle = freeHead;
        if (handle >= 0) {
            freeHead = chunks.segments[(int) (handle >>> CHUNK_SHIFT)].get(ValueLayout.JAVA_LONG,
                    handle & OFFSET_MASK);
        } else if (frontier < frontierEnd) {
            handle = frontier;
            frontier = handle + stride;
        } else {
            handle = takeFromNextChunk(byteSize, byteAlignment);
        }
        ChunkTable table = chunks;
        int chunk = (int) (handle >>> CHUNK_SHIFT);
        long offset = handle & OFFSET_MASK;
        long granule = offset >>> granuleShift;
        table.allocated[chunk][(int) (granule >>> 6)] |= 1L << granule;
        liveBlocks++;
        if (fill) {
            MemoryKernels.fill(table.segments[chunk], offset, blockSize, pattern);
        }
        if (stats != null) {
            stats.allocated(byteSize, liveBlocks * stride);
        }
        return handle;
    }

    /** Moves the frontier to the next chunk, adding one if growth allows, and takes its first block. */
    private long takeFromNextChunk(long byteSize, long byteAlignment) {
        if (frontierChunk + 1 == chunks.count) {
            grow(byteSize, byteAlignment);
        }
        enterChunk(frontierChunk + 1);
        long handle = frontier;
        frontier = handle + stride;
        return handle;
    }

    private void enterChunk(int chunk) {
        frontierChunk = chunk;
        frontier = (long) chunk << CHUNK_SHIFT;
        frontierEnd = frontier + chunks.limits[chunk];
    }

    /** Confined pools: adds a chunk, or explains why the pool cannot. */
    private void grow(long byteSize, long byteAlignment) {
        ChunkTable before = chunks;
        chunks = withNewChunk(before, byteSize, byteAlignment);
        grew(before, chunks);
    }

    /**
     * Thread-safe pools: hands out a block, popping the free list or else advancing the frontier, and adding a
     * chunk when neither has one.
     */
    private long takeShared(long byteSize, long byteAlignment) {
        checkNotClosed();
        long handle;
        while ((handle = popShared()) < 0 && (handle = takeFresh()) < 0) {
            growShared(byteSize, byteAlignment);
        }
        ChunkTable table = table();
        int chunk = (int) (handle >>> CHUNK_SHIFT);
        long offset = handle & OFFSET_MASK;
        long granule = offset >>> granuleShift;
        BITS.getAndBitwiseOr(table.allocated[chunk], (int) (granule >>> 6), 1L << granule);
        long live = (long) LIVE.getAndAdd(this, 1L) + 1;
        if (fill) {
            MemoryKernels.fill(table.segments[chunk], offset, blockSize, pattern);
        }
        if (stats != null) {
            stats.allocated(byteSize, live * stride);
        }
        return handle;
    }

    /** Pops the free list of a thread-safe pool: the handle of a block, or {@link #NO_BLOCK} when it is empty. */
    private long popShared() {
        long top = (long) HEAD.getVolatile(this);
        while ((top & NUMBER_MASK) != NO_NUMBER) {
            long number = top & NUMBER_MASK;
            int chunk = (int) (number >>> indexBits);
            long offset = (number & indexMask) * stride;
            // The table is read after the head: it has the chunk of every block on the list.
            // Another thread may pop this block and write into it before the compare-and-set below: the link read
            // here is then stale, and the compare-and-set fails because the version has moved on.
            long link = table().segments[chunk].get(ValueLayout.JAVA_LONG, offset);
            long witness = (long) HEAD.compareAndExchange(this, top,
                    (top + VERSION_ONE) & ~NUMBER_MASK | (link & NUMBER_MASK));
            if (witness == top) {
                return (long) chunk << CHUNK_SHIFT | offset;
            }
            top = witness;
        }
        return NO_BLOCK;
    }

    /** Pushes a block onto the free list of a thread-safe pool. */
    private void pushShared(MemorySegment chunk, long offset, long number) {
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

    /**
     * Takes the next never-used block of a thread-safe pool: its handle, or {@link #NO_BLOCK} when the frontier has
     * passed the last chunk.
     */
    private long takeFresh() {
        long number = (long) FRESH.getVolatile(this);
        while (true) {
            ChunkTable table = table();
            int chunk = (int) (number >>> indexBits);
            if (chunk >= table.count) {
                return NO_BLOCK;
            }
            long offset = (number & indexMask) * stride;
            boolean inChunk = offset < table.limits[chunk];
            long next = inChunk ? number + 1 : (long) (chunk + 1) << indexBits;
            long witness = (long) FRESH.compareAndExchange(this, number, next);
            if (witness != number) {
                number = witness;
            } else if (inChunk) {
                return (long) chunk << CHUNK_SHIFT | offset;
            } else {
                number = next;
            }
        }
    }

    /**
     * Thread-safe pools: adds a chunk if the pool is still full once the lock is held, or explains why it cannot.
     * Returns when the caller should try again.
     */
    private void growShared(long byteSize, long byteAlignment) {
        ChunkTable table;
        ChunkTable grown;
        lock.lock();
        try {
            checkNotClosed();
            table = table();
            long number = (long) FRESH.getVolatile(this);
            int chunk = (int) (number >>> indexBits);
            boolean frontierLeft = chunk < table.count - 1
                    || (chunk == table.count - 1 && (number & indexMask) * stride < table.limits[chunk]);
            if (frontierLeft || ((long) HEAD.getVolatile(this) & NUMBER_MASK) != NO_NUMBER) {
                return;
            }
            grown = withNewChunk(table, byteSize, byteAlignment);
            CHUNKS.setRelease(this, grown);
        } finally {
            lock.unlock();
        }
        grew(table, grown);
    }

    /** Returns {@code table} with one more chunk, or throws {@link ErrorCode#OUT_OF_MEMORY}. */
    private ChunkTable withNewChunk(ChunkTable table, long byteSize, long byteAlignment) {
        if (!config.allowGrowth() || table.totalBlocks >= config.maxBlocks() || table.count == maxChunks) {
            throw Events.allocationError(outOfMemory(table, byteSize, byteAlignment, null));
        }
        int blocks = (int) Math.min(chunkBlocks, config.maxBlocks() - table.totalBlocks);
        MemorySegment chunk;
        try {
            chunk = arena.allocate(blocks * stride, chunkAlignment);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            throw Events.allocationError(outOfMemory(table, byteSize, byteAlignment, "the system could not reserve " + blocks * stride
                    + " bytes of native memory for a new chunk of " + blocks + " blocks: " + e.getMessage()));
        }
        return table.with(chunk, blocks, granuleShift);
    }

    /** Records a growth in the statistics and the flight recorder. */
    private void grew(ChunkTable before, ChunkTable after) {
        if (stats != null) {
            stats.grew(usedBytes());
        }
        Events.growth(this, (after.totalBlocks - before.totalBlocks) * stride, after.totalBlocks * stride);
    }

    /**
     * Gives back a block that {@link #allocateHandle()} returned.
     *
     * @param handle the block's handle
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the handle is not the start of a block
     *     of this pool, {@link ErrorCode#DOUBLE_FREE} when the block is already free, or {@link ErrorCode#CLOSED}
     *     or {@link ErrorCode#WRONG_THREAD}
     */
    public void deallocateHandle(long handle) {
        if (shared) {
            deallocateHandleShared(handle);
            return;
        }
        checkOwner();
        ChunkTable table = chunks;
        if ((handle >>> CHUNK_SHIFT) >= table.count) {
            throw Events.allocationError(unknownChunk(table, handle));
        }
        if (checked) {
            giveBackCheckedBlock(table, (int) (handle >>> CHUNK_SHIFT), handle & OFFSET_MASK, blockSize, null);
            return;
        }
        release(table, (int) (handle >>> CHUNK_SHIFT), handle & OFFSET_MASK, blockSize, null);
    }

    private void deallocateHandleShared(long handle) {
        checkNotClosed();
        ChunkTable table = table();
        if ((handle >>> CHUNK_SHIFT) >= table.count) {
            throw Events.allocationError(unknownChunk(table, handle));
        }
        if (checked) {
            giveBackCheckedBlock(table, (int) (handle >>> CHUNK_SHIFT), handle & OFFSET_MASK, blockSize, null);
            return;
        }
        releaseShared(table, (int) (handle >>> CHUNK_SHIFT), handle & OFFSET_MASK, blockSize, null);
    }

    /**
     * Puts the segment's block back on the free list. The segment must start at a block of this pool and be no
     * larger than a block: any segment {@link #allocate(long, long)} returned qualifies, whatever size it asked
     * for. In checked mode, closes the segment's own arena: every copy of the segment becomes inaccessible.
     *
     * @param segment a segment that this pool returned
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the segment is not a block of this pool,
     *     {@link ErrorCode#DOUBLE_FREE} when the block is already free, in checked mode
     *     {@link ErrorCode#USE_AFTER_FREE} when the segment was already given back or released by {@link #reset()},
     *     or {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (shared) {
            deallocateShared(segment);
            return;
        }
        checkOwner();
        if (checked) {
            deallocateChecked(segment);
            return;
        }
        ChunkTable table = chunks;
        int chunk = table.chunkContaining(segment.address());
        if (chunk < 0 || !segment.isNative() || segment.byteSize() > blockSize) {
            throw Events.allocationError(foreignSegment(table, segment, chunk));
        }
        release(table, chunk, segment.address() - table.bases[chunk], segment.byteSize(), segment);
    }

    private void deallocateShared(MemorySegment segment) {
        checkNotClosed();
        if (checked) {
            deallocateChecked(segment);
            return;
        }
        ChunkTable table = table();
        int chunk = table.chunkContaining(segment.address());
        if (chunk < 0 || !segment.isNative() || segment.byteSize() > blockSize) {
            throw Events.allocationError(foreignSegment(table, segment, chunk));
        }
        releaseShared(table, chunk, segment.address() - table.bases[chunk], segment.byteSize(), segment);
    }

    /**
     * Checked mode: gives back a segment backed by an arena of its own, closing that arena, or else a slice of a
     * chunk (a block handed out by handle).
     */
    private void deallocateChecked(MemorySegment segment) {
        if (!segment.scope().isAlive()) {
            throw Events.allocationError(useAfterFree(segment));
        }
        CheckedBlocks.Entry entry = checkedBlocks.find(segment);
        if (entry != null) {
            if (!checkedBlocks.remove(entry)) {
                throw Events.allocationError(useAfterFree(segment));   // another thread gave it back first
            }
            entry.arena().close();
            long handle = entry.handle();
            giveBack(table(), (int) (handle >>> CHUNK_SHIFT), handle & OFFSET_MASK, segment.byteSize(), null);
            return;
        }
        ChunkTable table = table();
        int chunk = table.chunkContaining(segment.address());
        if (chunk < 0 || !segment.isNative() || segment.byteSize() > blockSize) {
            throw Events.allocationError(foreignSegment(table, segment, chunk));
        }
        giveBackCheckedBlock(table, chunk, segment.address() - table.bases[chunk], segment.byteSize(), segment);
    }

    /** Checked mode: gives back a block of a chunk, and forgets where it was allocated. */
    private void giveBackCheckedBlock(ChunkTable table, int chunk, long offset, long byteSize,
                                      MemorySegment segment) {
        long handle = (long) chunk << CHUNK_SHIFT | offset;
        CheckedBlocks.Entry entry = checkedBlocks.forget(handle);
        if (entry != null && entry.arena() != null) {
            checkedBlocks.restore(entry);
            throw Events.allocationError(foreign((segment == null ? "the handle 0x" + Long.toHexString(handle) : "the segment")
                    + " names a block that was handed out as a segment of its own in checked mode: give back that"
                    + " segment instead"));
        }
        try {
            giveBack(table, chunk, offset, byteSize, segment);
        } catch (AllocationException e) {
            if (entry != null) {
                checkedBlocks.restore(entry);
            }
            throw e;
        }
    }

    private void giveBack(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        if (shared) {
            releaseShared(table, chunk, offset, byteSize, segment);
        } else {
            release(table, chunk, offset, byteSize, segment);
        }
    }

    private void release(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        long granule = offset >>> granuleShift;
        long[] allocated = table.allocated[chunk];
        if (offset >= table.limits[chunk] || (offset & ((1L << granuleShift) - 1)) != 0
                || (allocated[(int) (granule >>> 6)] & (1L << granule)) == 0) {
            throw Events.allocationError(releaseFailure(table, chunk, offset, segment));
        }
        allocated[(int) (granule >>> 6)] &= ~(1L << granule);
        table.segments[chunk].set(ValueLayout.JAVA_LONG, offset, freeHead);
        freeHead = (long) chunk << CHUNK_SHIFT | offset;
        liveBlocks--;
        if (stats != null) {
            stats.deallocated(byteSize);
        }
    }

    private void releaseShared(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        if (offset >= table.limits[chunk] || (offset & ((1L << granuleShift) - 1)) != 0) {
            throw Events.allocationError(releaseFailure(table, chunk, offset, segment));
        }
        long granule = offset >>> granuleShift;
        long bit = 1L << granule;
        // Of two threads giving back the same block, exactly one sees the bit set; the other changes nothing.
        long before = (long) BITS.getAndBitwiseAnd(table.allocated[chunk], (int) (granule >>> 6), ~bit);
        if ((before & bit) == 0) {
            throw Events.allocationError(releaseFailure(table, chunk, offset, segment));
        }
        LIVE.getAndAdd(this, -1L);
        pushShared(table.segments[chunk], offset, (long) chunk << indexBits | indexOf(offset));
        if (stats != null) {
            stats.deallocated(byteSize);
        }
    }

    /** The index in its chunk of the block at {@code offset}. */
    private long indexOf(long offset) {
        return strideShift >= 0 ? offset >>> strideShift : offset / stride;
    }

    /**
     * Gives every block back at once, and leaves the chunks in place: the next allocations hand out blocks from
     * the first chunk's start again. Costs O(chunks touched + blocks handed out since the last reset / 64) to
     * clear the allocated bits; with {@link PoolConfig#zeroOnReset()}, O(bytes of those blocks) to zero them. In
     * checked mode, closes the arena of every segment handed out.
     *
     * <p>A thread-safe pool must not be used by other threads while it resets (see the class documentation).
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public void reset() {
        long released;
        lockIfShared();
        try {
            checkOpen();
            if (checked) {
                checkedBlocks.releaseAll();
            }
            released = shared ? resetShared() : resetConfined();
        } finally {
            unlockIfShared();
        }
        if (stats != null) {
            stats.released(released);
        }
        Events.release(this, "reset", released);
    }

    private long resetConfined() {
        ChunkTable table = chunks;
        long released = liveBlocks * stride;
        for (int chunk = 0; chunk <= frontierChunk; chunk++) {
            clear(table, chunk, chunk < frontierChunk ? table.limits[chunk]
                    : frontier - ((long) chunk << CHUNK_SHIFT));
        }
        freeHead = NO_BLOCK;
        liveBlocks = 0;
        enterChunk(0);
        return released;
    }

    private long resetShared() {
        ChunkTable table = table();
        long number = (long) FRESH.getVolatile(this);
        int frontierAt = (int) (number >>> indexBits);
        for (int chunk = 0; chunk <= frontierAt && chunk < table.count; chunk++) {
            clear(table, chunk, chunk < frontierAt ? table.limits[chunk]
                    : Math.min(table.limits[chunk], (number & indexMask) * stride));
        }
        long top = (long) HEAD.getVolatile(this);
        HEAD.setVolatile(this, (top + VERSION_ONE) & ~NUMBER_MASK | NO_NUMBER);
        FRESH.setVolatile(this, 0L);
        return (long) LIVE.getAndSet(this, 0L) * stride;
    }

    /** Clears the allocated bits of the first {@code touched} bytes of a chunk, zeroing them if configured. */
    private void clear(ChunkTable table, int chunk, long touched) {
        if (config.zeroOnReset() && touched > 0) {
            MemoryKernels.fill(table.segments[chunk], 0, touched, (byte) 0);
        }
        Arrays.fill(table.allocated[chunk], 0, (int) (((touched >>> granuleShift) + 63) >>> 6), 0L);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any part of any chunk counts, whether or not it is a block in use; in checked mode, so does a segment
     * handed out and not yet given back.
     */
    @Override
    public boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (isClosed() || !segment.isNative()) {
            return false;
        }
        ChunkTable table = table();
        int chunk = table.chunkContaining(segment.address());
        if (chunk >= 0 && segment.byteSize() <= table.limits[chunk] - (segment.address() - table.bases[chunk])) {
            return true;
        }
        return checked && segment.scope().isAlive() && checkedBlocks.find(segment) != null;
    }

    /**
     * Returns the bytes of the blocks in use: blocks in use times the {@link #stride()}.
     *
     * @return bytes in use
     */
    @Override
    public long usedBytes() {
        return live() * stride;
    }

    /**
     * Returns the bytes of the free blocks in the chunks the pool has now: free blocks times the
     * {@link #stride()}. Growth may add more.
     *
     * @return bytes available without growing
     */
    @Override
    public long availableBytes() {
        return freeBlocks() * stride;
    }

    @Override
    public long capacityBytes() {
        return table().totalBlocks * stride;
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a pool: the blocks still handed out, in strides, and in checked mode where each was allocated.
     */
    @Override
    protected LeakReport leakReport() {
        long live = live();
        return new LeakReport(toString(), live, live * stride,
                checked ? checkedBlocks.sites(LeakReport.MAX_SITES) : List.of());
    }

    @Override
    protected void releaseCheckedArenas() {
        if (checked) {
            checkedBlocks.releaseAll();
        }
    }

    @Override
    public String toString() {
        ChunkTable table = table();
        long live = live();
        return "PoolAllocator[blockSize=" + blockSize + ", stride=" + stride + ", blocks=" + table.totalBlocks
                + ", free=" + (table.totalBlocks - live) + ", chunks=" + table.count
                + (shared ? ", thread-safe" : "") + (checked ? ", checked" : "") + (isClosed() ? ", closed" : "")
                + "]";
    }

    /** The chunks: the latest table, read with acquire when thread-safe. */
    private ChunkTable table() {
        return shared ? (ChunkTable) CHUNKS.getAcquire(this) : chunks;
    }

    /** Blocks in use. */
    private long live() {
        return shared ? (long) LIVE.getVolatile(this) : liveBlocks;
    }

    private AllocationException invalidRequest(long byteSize, long byteAlignment) {
        if (stats != null) {
            stats.failed();
        }
        AllocationException invalid = Requests.invalidRequest(toString(), byteSize, byteAlignment,
                availableBytes(), usedBytes());
        if (invalid != null) {
            return invalid;
        }
        Failure error;
        if (byteSize > blockSize) {
            error = Failure.of(ErrorCode.INVALID_SIZE)
                    .details("the request is " + byteSize + " bytes but the pool's blocks are " + blockSize
                            + " bytes")
                    .suggest("Allocate objects of up to " + blockSize + " bytes from this pool, and larger ones from"
                            + " a pool of larger blocks, e.g. PoolAllocator.create(" + byteSize + ", "
                            + Math.max(byteAlignment, blockAlignment) + ", blockCount).")
                    .suggest("Or use a BumpAllocator or StackAllocator, which serve any size.");
        } else {
            error = Failure.of(ErrorCode.INVALID_ALIGNMENT)
                    .details("the request asks for alignment " + byteAlignment + " but the pool's blocks are aligned"
                            + " to " + blockAlignment + " bytes")
                    .suggest("Create the pool with block alignment " + byteAlignment + ": PoolAllocator.create("
                            + blockSize + ", " + byteAlignment + ", blockCount).");
        }
        return error.allocator(toString()).request(byteSize, byteAlignment).memory(availableBytes(), usedBytes())
                .build();
    }

    private AllocationException outOfMemory(ChunkTable table, long byteSize, long byteAlignment,
                                            String nativeFailure) {
        if (stats != null) {
            stats.failed();
        }
        Failure error = Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(toString())
                .request(byteSize, byteAlignment)
                .memory(availableBytes(), usedBytes());
        String inUse = "all " + table.totalBlocks + " blocks (" + blockSize + " bytes each, stride " + stride
                + ", in " + table.count + " chunk(s)) are in use";
        if (nativeFailure != null) {
            error.details(inUse + ", and " + nativeFailure)
                    .suggest("Bound the pool with PoolConfig.withMaxBlocks, and free native memory held elsewhere.");
        } else if (!config.allowGrowth()) {
            long larger = Math.min(2L * chunkBlocks, Integer.MAX_VALUE);
            error.details(inUse + " and the pool may not grow")
                    .suggest("Enable growth: PoolConfig.defaults().withAllowGrowth(true) adds a chunk of "
                            + chunkBlocks + " blocks whenever the pool is full.")
                    .suggest("Or create the pool with more blocks, for example PoolAllocator.create(" + blockSize
                            + ", " + blockAlignment + ", " + larger + ").");
        } else if (table.totalBlocks >= config.maxBlocks()) {
            long larger = config.maxBlocks() > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * config.maxBlocks();
            error.details(inUse + " and the pool may not grow past maxBlocks = " + config.maxBlocks())
                    .suggest("Raise the bound: PoolConfig.withMaxBlocks(" + larger + ").");
        } else {
            error.details(inUse + " and the pool already has the most chunks it can hold, " + maxChunks
                            + (shared ? " (a thread-safe pool numbers its blocks in 32 bits, " + indexBits
                                    + " of them for the index in a chunk)" : ""))
                    .suggest("Create the pool with more blocks per chunk, so that it needs fewer chunks.");
        }
        return error.suggest("Give blocks back with deallocate or deallocateHandle, or call reset(), when they are"
                + " no longer needed.").build();
    }

    private AllocationException foreignSegment(ChunkTable table, MemorySegment segment, int chunk) {
        String why;
        if (!segment.isNative()) {
            why = "it is a heap segment";
        } else if (chunk < 0) {
            why = "it is not inside any chunk of this pool: " + table.ranges();
        } else {
            why = "it is larger than a block (" + blockSize + " bytes)";
        }
        return foreign("the segment (" + segment.byteSize() + " bytes at address 0x"
                + Long.toHexString(segment.address()) + ") is not a block of this pool: " + why);
    }

    private AllocationException unknownChunk(ChunkTable table, long handle) {
        return foreignHandle(handle, "it names chunk " + (handle >>> CHUNK_SHIFT) + " but the pool has "
                + table.count + " chunk(s)");
    }

    private AllocationException foreignHandle(long handle, String why) {
        return foreign("the handle 0x" + Long.toHexString(handle) + " is not a block of this pool: " + why);
    }

    private AllocationException foreign(String details) {
        return Failure.of(ErrorCode.FOREIGN_SEGMENT)
                .allocator(toString())
                .memory(availableBytes(), usedBytes())
                .details(details)
                .suggest("Give each block back to the pool that returned it, as returned (not a slice of it).")
                .build();
    }

    /** Explains why the block at {@code offset} of {@code chunk} cannot be given back. */
    private AllocationException releaseFailure(ChunkTable table, int chunk, long offset, MemorySegment segment) {
        long handle = (long) chunk << CHUNK_SHIFT | offset;
        String what = segment == null
                ? "the handle 0x" + Long.toHexString(handle)
                : "the segment (" + segment.byteSize() + " bytes at address 0x" + Long.toHexString(segment.address())
                        + ")";
        long block = offset / stride;
        if (offset >= table.limits[chunk]) {
            return foreign(what + " is not a block of this pool: offset " + offset + " is past the end of chunk "
                    + chunk + " (" + table.limits[chunk] + " bytes)");
        }
        if (offset % stride != 0) {
            return foreign(what + " is not a block of this pool: it starts " + offset % stride + " bytes into"
                    + " block " + block + " of chunk " + chunk + " (blocks start every " + stride + " bytes)");
        }
        boolean handedOut = shared
                ? ((long) chunk << indexBits | block) < (long) FRESH.getVolatile(this)
                : chunk < frontierChunk || (chunk == frontierChunk && handle < frontier);
        return Failure.of(ErrorCode.DOUBLE_FREE)
                .allocator(toString())
                .memory(availableBytes(), usedBytes())
                .details(what + " is block " + block + " of chunk " + chunk + ", which is already free: "
                        + (handedOut ? "it was given back before" : "it has not been handed out since the pool was"
                                + " created or last reset"))
                .suggest("Give each block back exactly once; clear your reference to it when you do.")
                .suggest("Blocks handed out before reset() were all given back by it; do not give them back again.")
                .build();
    }

    private AllocationException useAfterFree(MemorySegment segment) {
        return Failure.of(ErrorCode.USE_AFTER_FREE)
                .allocator(toString())
                .request(segment.byteSize(), 1)
                .memory(availableBytes(), usedBytes())
                .details("the segment (" + segment.byteSize() + " bytes at address 0x"
                        + Long.toHexString(segment.address()) + ") was already given back to this pool, or released"
                        + " by reset(): its memory is closed")
                .suggest("Give each block back exactly once, and do not use it afterwards; clear your reference to"
                        + " it when you give it back.")
                .suggest("Blocks handed out before reset() were all given back by it; do not give them back again.")
                .build();
    }

    private AllocationException checkedSegmentFailure(long byteSize, OutOfMemoryError e) {
        if (stats != null) {
            stats.failed();
        }
        return Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(toString())
                .request(byteSize, blockAlignment)
                .memory(availableBytes(), usedBytes())
                .details("the system could not reserve " + byteSize + " bytes of native memory for the checked-mode"
                        + " segment of a block: " + e.getMessage())
                .suggest("Free native memory held elsewhere (other arenas, direct buffers) first.")
                .suggest("Or run without checked mode, which needs no memory beyond the pool's chunks.")
                .build();
    }
}
