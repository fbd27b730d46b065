package io.nebula.memory.pool;

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
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

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
 * one segment of a single confined {@link Arena} that the pool owns. A pool starts with one chunk of
 * {@code blockCount} blocks; with {@link PoolConfig#allowGrowth()} it adds a chunk of the same block count
 * whenever every block is in use, up to {@link PoolConfig#maxBlocks()} blocks in all.
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
 *       zero-fills the chunk when reserving it).</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller.</li>
 *   <li>{@link #deallocateHandle(long)}: a bounds check, a test-and-clear of the allocated bit, one 8-byte store
 *       of the link.</li>
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
 * {@link ErrorCode#DOUBLE_FREE} (one allocated bit per block tells). What the pool cannot see: a segment kept
 * across {@link #reset()} names a block that may since have been handed out again, and giving it back frees the
 * new owner's block; and writing to a block after giving it back overwrites the free-list link in its first 8
 * bytes. Every access stays bounds-checked by the FFM API, so neither can touch memory outside the pool.
 *
 * <h2>Threads</h2>
 * A pool is confined to the thread that created it: a call from any other thread throws
 * {@link ErrorCode#WRONG_THREAD}, and its segments can only be accessed from that thread.
 */
public final class PoolAllocator implements Allocator, MemoryUsage, Resettable, StatisticsProvider {

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
    /** The free-list link that ends the list. */
    private static final long NO_BLOCK = -1;

    private final Arena arena;
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
    private final PoolConfig config;
    private final boolean fill;
    private final byte pattern;
    private final StatisticsRecorder stats;

    /** The thread that may use this pool; {@code null} once closed. */
    private Thread owner;

    /** Per chunk, by chunk index: its segment, address, size in bytes and allocated bits (one per granule). */
    private MemorySegment[] segments = new MemorySegment[4];
    private long[] bases = new long[4];
    private long[] limits = new long[4];
    private long[][] allocated = new long[4][];
    /** Chunk addresses in ascending order and the chunk index of each, to find a segment's chunk. */
    private long[] sortedBases = new long[4];
    private int[] sortedChunks = new int[4];
    private int chunkCount;

    private long totalBlocks;
    private long liveBlocks;

    /** The handle of the first free block, or {@link #NO_BLOCK}. Each free block holds the next handle. */
    private long freeHead = NO_BLOCK;
    /** The chunk whose never-used blocks are handed out next; earlier chunks have none left, later ones all. */
    private int frontierChunk;
    /** The handle of the next never-used block, and the handle one past the frontier chunk's last block. */
    private long frontier;
    private long frontierEnd;

    private PoolAllocator(long blockSize, long blockAlignment, int blockCount, long stride, PoolConfig config) {
        this.blockSize = blockSize;
        this.stride = stride;
        this.chunkBlocks = blockCount;
        this.chunkAlignment = Math.max(blockAlignment, MIN_CHUNK_ALIGNMENT);
        this.blockAlignment = Math.min(chunkAlignment, Long.lowestOneBit(stride));
        this.granuleShift = Long.numberOfTrailingZeros(stride);
        this.config = config;
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.stats = config.trackStats() ? StatisticsRecorder.create(false) : null;
        this.arena = Arena.ofConfined();
        MemorySegment first;
        try {
            first = arena.allocate(stride * blockCount, chunkAlignment);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            arena.close();
            throw AllocationException.builder(ErrorCode.OUT_OF_MEMORY)
                    .allocator("PoolAllocator")
                    .request(blockSize, blockAlignment)
                    .details("the system could not reserve " + stride * blockCount + " bytes of native memory for "
                            + blockCount + " blocks of stride " + stride + ": " + e.getMessage())
                    .suggest("Ask for fewer blocks, and enable allowGrowth in PoolConfig to add them as needed.")
                    .suggest("Free native memory held elsewhere (other arenas, direct buffers) first.")
                    .build();
        }
        addChunk(first, blockCount);
        enterChunk(0);
        this.owner = Thread.currentThread();
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
     * @return the pool, confined to the calling thread
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code blockSize < 1},
     *     {@code blockCount < 1}, {@code blockCount > config.maxBlocks()} or a chunk would exceed 512 GiB;
     *     {@link ErrorCode#INVALID_ALIGNMENT} when {@code blockAlignment} is not a positive power of two;
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     */
    public static PoolAllocator create(long blockSize, long blockAlignment, int blockCount, PoolConfig config) {
        Objects.requireNonNull(config, "config");
        if (blockSize < 1) {
            throw invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    "the block size must be at least 1 byte, was " + blockSize,
                    "Pass the size of the objects the pool holds, for example layout.byteSize().");
        }
        if (!Requests.isPowerOfTwo(blockAlignment)) {
            long lower = blockAlignment > 0 ? Long.highestOneBit(blockAlignment) : 1;
            throw invalidShape(ErrorCode.INVALID_ALIGNMENT, blockSize, blockAlignment,
                    "the block alignment " + blockAlignment + " is not a positive power of two",
                    "Use a power of two such as " + lower + (lower < (1L << 62) ? " or " + (lower << 1) : "")
                            + ", or take it from a layout: layout.byteAlignment().");
        }
        if (blockCount < 1) {
            throw invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    "the block count must be at least 1, was " + blockCount,
                    "Pass the number of blocks the pool must hold at once, for example 1024.");
        }
        if (blockCount > config.maxBlocks()) {
            throw invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    "the block count " + blockCount + " exceeds the configured maxBlocks " + config.maxBlocks(),
                    "Pass a block count of at most " + config.maxBlocks() + ", or raise the bound with"
                            + " PoolConfig.withMaxBlocks(" + blockCount + ").");
        }
        long stride = blockSize > MAX_CHUNK_BYTES ? -1 : strideOf(blockSize, blockAlignment);
        if (stride < 0 || stride > MAX_CHUNK_BYTES / blockCount) {
            long perChunk = stride < 0 ? 0 : MAX_CHUNK_BYTES / stride;
            throw invalidShape(ErrorCode.INVALID_SIZE, blockSize, blockAlignment,
                    blockCount + " blocks of " + blockSize + " bytes (alignment " + blockAlignment
                            + ") do not fit in one chunk of at most " + MAX_CHUNK_BYTES + " bytes (512 GiB)",
                    perChunk > 0
                            ? "Use at most " + perChunk + " blocks per chunk, with allowGrowth in PoolConfig to"
                                    + " add chunks as needed."
                            : "Blocks this large belong in their own arena, not a pool.");
        }
        return new PoolAllocator(blockSize, blockAlignment, blockCount, stride, config);
    }

    private static long strideOf(long blockSize, long blockAlignment) {
        return Requests.alignUp(blockSize, Math.max(LINK_BYTES, blockAlignment));
    }

    private static AllocationException invalidShape(ErrorCode code, long blockSize, long blockAlignment,
                                                    String details, String suggestion) {
        return AllocationException.builder(code)
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
     * Returns the number of blocks the pool holds now, in use or free, over all its chunks.
     *
     * @return the block count
     */
    public long blockCount() {
        return totalBlocks;
    }

    /**
     * Returns the number of blocks that can be handed out without growing.
     *
     * @return the free block count
     */
    public long freeBlocks() {
        return totalBlocks - liveBlocks;
    }

    /**
     * Returns the number of chunks: one, plus one per growth.
     *
     * @return the chunk count
     */
    public int chunkCount() {
        return chunkCount;
    }

    /**
     * Returns the first chunk. Handles of blocks in this chunk are offsets into it; for a pool that never grew,
     * that is every handle.
     *
     * @return the first chunk's segment, {@code blockCount * stride()} bytes long at creation
     */
    public MemorySegment segment() {
        return segments[0];
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
        if ((handle >>> CHUNK_SHIFT) >= chunkCount) {
            throw foreignHandle(handle, "it names chunk " + (handle >>> CHUNK_SHIFT) + " but the pool has "
                    + chunkCount + " chunk(s)");
        }
        return segments[(int) (handle >>> CHUNK_SHIFT)];
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
     * Hands out one whole block: the zero-garbage counterpart of {@link #allocate()}.
     *
     * @return the block's handle; see {@link #segmentOf(long)} and {@link #offsetOf(long)}
     * @throws AllocationException {@link ErrorCode#OUT_OF_MEMORY} when every block is in use and the pool may not
     *     grow, or {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public long allocateHandle() {
        checkOwner();
        return take(blockSize, blockAlignment);
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
     * {@code asSlice}.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code byteSize} is negative or larger than
     *     the block size, {@link ErrorCode#INVALID_ALIGNMENT} when {@code byteAlignment} is not a power of two or
     *     larger than the block alignment, or any error of {@link #allocateHandle()}
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkOwner();
        if (byteSize < 0 || byteSize > blockSize || !Requests.isPowerOfTwo(byteAlignment)
                || byteAlignment > blockAlignment) {
            throw invalidRequest(byteSize, byteAlignment);
        }
        long handle = take(byteSize, byteAlignment);
        return segments[(int) (handle >>> CHUNK_SHIFT)].asSlice(handle & OFFSET_MASK, byteSize);
    }

    private long take(long byteSize, long byteAlignment) {
        long handle = freeHead;
        if (handle >= 0) {
            freeHead = segments[(int) (handle >>> CHUNK_SHIFT)].get(ValueLayout.JAVA_LONG, handle & OFFSET_MASK);
        } else if (frontier < frontierEnd) {
            handle = frontier;
            frontier = handle + stride;
        } else {
            handle = takeFromNextChunk(byteSize, byteAlignment);
        }
        int chunk = (int) (handle >>> CHUNK_SHIFT);
        long offset = handle & OFFSET_MASK;
        long granule = offset >>> granuleShift;
        allocated[chunk][(int) (granule >>> 6)] |= 1L << granule;
        liveBlocks++;
        if (fill) {
            segments[chunk].asSlice(offset, blockSize).fill(pattern);
        }
        if (stats != null) {
            stats.allocated(byteSize, liveBlocks * stride);
        }
        return handle;
    }

    /** Moves the frontier to the next chunk, adding one if growth allows, and takes its first block. */
    private long takeFromNextChunk(long byteSize, long byteAlignment) {
        if (frontierChunk + 1 == chunkCount) {
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
        frontierEnd = frontier + limits[chunk];
    }

    private void grow(long byteSize, long byteAlignment) {
        if (!config.allowGrowth() || totalBlocks >= config.maxBlocks() || chunkCount == MAX_CHUNKS) {
            throw outOfMemory(byteSize, byteAlignment, null);
        }
        int blocks = (int) Math.min(chunkBlocks, config.maxBlocks() - totalBlocks);
        MemorySegment chunk;
        try {
            chunk = arena.allocate(blocks * stride, chunkAlignment);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            throw outOfMemory(byteSize, byteAlignment, "the system could not reserve " + blocks * stride
                    + " bytes of native memory for a new chunk of " + blocks + " blocks: " + e.getMessage());
        }
        addChunk(chunk, blocks);
        if (stats != null) {
            stats.grew(usedBytes());
        }
    }

    private void addChunk(MemorySegment chunk, int blocks) {
        int index = chunkCount;
        if (index == segments.length) {
            int length = index * 2;
            segments = Arrays.copyOf(segments, length);
            bases = Arrays.copyOf(bases, length);
            limits = Arrays.copyOf(limits, length);
            allocated = Arrays.copyOf(allocated, length);
            sortedBases = Arrays.copyOf(sortedBases, length);
            sortedChunks = Arrays.copyOf(sortedChunks, length);
        }
        long bytes = blocks * stride;
        segments[index] = chunk;
        bases[index] = chunk.address();
        limits[index] = bytes;
        allocated[index] = new long[(int) (((bytes >>> granuleShift) + 63) >>> 6)];
        int at = index;
        while (at > 0 && sortedBases[at - 1] > chunk.address()) {
            sortedBases[at] = sortedBases[at - 1];
            sortedChunks[at] = sortedChunks[at - 1];
            at--;
        }
        sortedBases[at] = chunk.address();
        sortedChunks[at] = index;
        chunkCount = index + 1;
        totalBlocks += blocks;
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
        checkOwner();
        if ((handle >>> CHUNK_SHIFT) >= chunkCount) {
            throw foreignHandle(handle, "it names chunk " + (handle >>> CHUNK_SHIFT) + " but the pool has "
                    + chunkCount + " chunk(s)");
        }
        release((int) (handle >>> CHUNK_SHIFT), handle & OFFSET_MASK, blockSize, null);
    }

    /**
     * Puts the segment's block back on the free list. The segment must start at a block of this pool and be no
     * larger than a block: any segment {@link #allocate(long, long)} returned qualifies, whatever size it asked
     * for.
     *
     * @param segment a segment that this pool returned
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the segment is not a block of this pool,
     *     {@link ErrorCode#DOUBLE_FREE} when the block is already free, or {@link ErrorCode#CLOSED} or
     *     {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOwner();
        int chunk = chunkContaining(segment.address());
        if (chunk < 0 || !segment.isNative() || segment.byteSize() > blockSize) {
            throw foreignSegment(segment, chunk);
        }
        release(chunk, segment.address() - bases[chunk], segment.byteSize(), segment);
    }

    private void release(int chunk, long offset, long byteSize, MemorySegment segment) {
        long granule = offset >>> granuleShift;
        if (offset >= limits[chunk] || (offset & ((1L << granuleShift) - 1)) != 0
                || (allocated[chunk][(int) (granule >>> 6)] & (1L << granule)) == 0) {
            throw releaseFailure(chunk, offset, segment);
        }
        allocated[chunk][(int) (granule >>> 6)] &= ~(1L << granule);
        segments[chunk].set(ValueLayout.JAVA_LONG, offset, freeHead);
        freeHead = (long) chunk << CHUNK_SHIFT | offset;
        liveBlocks--;
        if (stats != null) {
            stats.deallocated(byteSize);
        }
    }

    /** Returns the index of the chunk whose memory holds {@code address}, or -1. */
    private int chunkContaining(long address) {
        if (address - bases[0] >= 0 && address - bases[0] < limits[0]) {
            return 0;
        }
        int low = 0;
        int high = chunkCount - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (sortedBases[mid] <= address) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        if (high < 0) {
            return -1;
        }
        int chunk = sortedChunks[high];
        return address - bases[chunk] < limits[chunk] ? chunk : -1;
    }

    /**
     * Gives every block back at once, and leaves the chunks in place: the next allocations hand out blocks from
     * the first chunk's start again. Costs O(chunks touched + blocks handed out since the last reset / 64) to
     * clear the allocated bits; with {@link PoolConfig#zeroOnReset()}, O(bytes of those blocks) to zero them.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public void reset() {
        checkOwner();
        long released = usedBytes();
        for (int chunk = 0; chunk <= frontierChunk; chunk++) {
            long touched = chunk < frontierChunk ? limits[chunk] : frontier - ((long) chunk << CHUNK_SHIFT);
            if (config.zeroOnReset() && touched > 0) {
                segments[chunk].asSlice(0, touched).fill((byte) 0);
            }
            Arrays.fill(allocated[chunk], 0, (int) (((touched >>> granuleShift) + 63) >>> 6), 0L);
        }
        freeHead = NO_BLOCK;
        liveBlocks = 0;
        enterChunk(0);
        if (stats != null) {
            stats.released(released);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any part of any chunk counts, whether or not it is a block in use.
     */
    @Override
    public boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (owner == null || !segment.isNative()) {
            return false;
        }
        int chunk = chunkContaining(segment.address());
        return chunk >= 0 && segment.byteSize() <= limits[chunk] - (segment.address() - bases[chunk]);
    }

    /**
     * Returns the bytes of the blocks in use: blocks in use times the {@link #stride()}.
     *
     * @return bytes in use
     */
    @Override
    public long usedBytes() {
        return liveBlocks * stride;
    }

    /**
     * Returns the bytes of the free blocks in the chunks the pool has now: free blocks times the
     * {@link #stride()}. Growth may add more.
     *
     * @return bytes available without growing
     */
    @Override
    public long availableBytes() {
        return (totalBlocks - liveBlocks) * stride;
    }

    @Override
    public long capacityBytes() {
        return totalBlocks * stride;
    }

    @Override
    public Optional<AllocationStatistics> statistics() {
        return stats == null ? Optional.empty() : Optional.of(stats.snapshot(usedBytes()));
    }

    @Override
    public boolean isClosed() {
        return owner == null;
    }

    /**
     * Frees every chunk; every segment handed out becomes inaccessible. Closing again does nothing.
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
        arena.close();
    }

    @Override
    public String toString() {
        return "PoolAllocator[blockSize=" + blockSize + ", stride=" + stride + ", blocks=" + totalBlocks
                + ", free=" + (totalBlocks - liveBlocks) + ", chunks=" + chunkCount
                + (owner == null ? ", closed" : "") + "]";
    }

    private void checkOwner() {
        if (owner != Thread.currentThread()) {
            throw owner == null ? Ownership.closed(toString()) : Ownership.wrongThread(toString(), owner);
        }
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
        AllocationException.Builder error;
        if (byteSize > blockSize) {
            error = AllocationException.builder(ErrorCode.INVALID_SIZE)
                    .details("the request is " + byteSize + " bytes but the pool's blocks are " + blockSize
                            + " bytes")
                    .suggest("Allocate objects of up to " + blockSize + " bytes from this pool, and larger ones from"
                            + " a pool of larger blocks, e.g. PoolAllocator.create(" + byteSize + ", "
                            + Math.max(byteAlignment, blockAlignment) + ", blockCount).")
                    .suggest("Or use a BumpAllocator or StackAllocator, which serve any size.");
        } else {
            error = AllocationException.builder(ErrorCode.INVALID_ALIGNMENT)
                    .details("the request asks for alignment " + byteAlignment + " but the pool's blocks are aligned"
                            + " to " + blockAlignment + " bytes")
                    .suggest("Create the pool with block alignment " + byteAlignment + ": PoolAllocator.create("
                            + blockSize + ", " + byteAlignment + ", blockCount).");
        }
        return error.allocator(toString()).request(byteSize, byteAlignment).memory(availableBytes(), usedBytes())
                .build();
    }

    private AllocationException outOfMemory(long byteSize, long byteAlignment, String nativeFailure) {
        if (stats != null) {
            stats.failed();
        }
        AllocationException.Builder error = AllocationException.builder(ErrorCode.OUT_OF_MEMORY)
                .allocator(toString())
                .request(byteSize, byteAlignment)
                .memory(availableBytes(), usedBytes());
        String inUse = "all " + totalBlocks + " blocks (" + blockSize + " bytes each, stride " + stride + ", in "
                + chunkCount + " chunk(s)) are in use";
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
        } else if (totalBlocks >= config.maxBlocks()) {
            long larger = config.maxBlocks() > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * config.maxBlocks();
            error.details(inUse + " and the pool may not grow past maxBlocks = " + config.maxBlocks())
                    .suggest("Raise the bound: PoolConfig.withMaxBlocks(" + larger + ").");
        } else {
            error.details(inUse + " and the pool already has the most chunks a pool can hold, " + MAX_CHUNKS)
                    .suggest("Create the pool with more blocks per chunk, so that it needs fewer chunks.");
        }
        return error.suggest("Give blocks back with deallocate or deallocateHandle, or call reset(), when they are"
                + " no longer needed.").build();
    }

    private AllocationException foreignSegment(MemorySegment segment, int chunk) {
        String why;
        if (!segment.isNative()) {
            why = "it is a heap segment";
        } else if (chunk < 0) {
            why = "it is not inside any chunk of this pool: " + chunkRanges();
        } else {
            why = "it is larger than a block (" + blockSize + " bytes)";
        }
        return foreign("the segment (" + segment.byteSize() + " bytes at address 0x"
                + Long.toHexString(segment.address()) + ") is not a block of this pool: " + why);
    }

    private AllocationException foreignHandle(long handle, String why) {
        return foreign("the handle 0x" + Long.toHexString(handle) + " is not a block of this pool: " + why);
    }

    private AllocationException foreign(String details) {
        return AllocationException.builder(ErrorCode.FOREIGN_SEGMENT)
                .allocator(toString())
                .memory(availableBytes(), usedBytes())
                .details(details)
                .suggest("Give each block back to the pool that returned it, as returned (not a slice of it).")
                .build();
    }

    /** Explains why the block at {@code offset} of {@code chunk} cannot be given back. */
    private AllocationException releaseFailure(int chunk, long offset, MemorySegment segment) {
        long handle = (long) chunk << CHUNK_SHIFT | offset;
        String what = segment == null
                ? "the handle 0x" + Long.toHexString(handle)
                : "the segment (" + segment.byteSize() + " bytes at address 0x" + Long.toHexString(segment.address())
                        + ")";
        long block = offset / stride;
        if (offset >= limits[chunk]) {
            return foreign(what + " is not a block of this pool: offset " + offset + " is past the end of chunk "
                    + chunk + " (" + limits[chunk] + " bytes)");
        }
        if (offset % stride != 0) {
            return foreign(what + " is not a block of this pool: it starts " + offset % stride + " bytes into"
                    + " block " + block + " of chunk " + chunk + " (blocks start every " + stride + " bytes)");
        }
        boolean handedOut = chunk < frontierChunk || (chunk == frontierChunk
                && handle < frontier);
        return AllocationException.builder(ErrorCode.DOUBLE_FREE)
                .allocator(toString())
                .memory(availableBytes(), usedBytes())
                .details(what + " is block " + block + " of chunk " + chunk + ", which is already free: "
                        + (handedOut ? "it was given back before" : "it has not been handed out since the pool was"
                                + " created or last reset"))
                .suggest("Give each block back exactly once; clear your reference to it when you do.")
                .suggest("Blocks handed out before reset() were all given back by it; do not give them back again.")
                .build();
    }

    private String chunkRanges() {
        StringBuilder ranges = new StringBuilder();
        int shown = Math.min(chunkCount, 8);
        for (int chunk = 0; chunk < shown; chunk++) {
            ranges.append(chunk == 0 ? "" : ", ").append("[0x").append(Long.toHexString(bases[chunk]))
                    .append(", 0x").append(Long.toHexString(bases[chunk] + limits[chunk])).append(')');
        }
        if (shown < chunkCount) {
            ranges.append(" and ").append(chunkCount - shown).append(" more");
        }
        return ranges.toString();
    }
}
