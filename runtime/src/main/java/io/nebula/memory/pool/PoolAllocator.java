package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakReport;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.Resettable;
import io.nebula.memory.Scope;
import io.nebula.memory.StatisticsProvider;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.internal.SegmentRequests;
import io.nebula.memory.internal.StatisticsRecorder;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
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
 *
 *     try (Scope _ = pool.scope()) {
 *         MemorySegment scratch = pool.allocate();         // given back when the scope closes
 *     }
 * }                                                        // native memory freed
 * }</pre>
 *
 * <h2>Layout</h2>
 * Blocks sit {@link #stride()} bytes apart: the block size rounded up to a multiple of the block alignment and of
 * 8, because a free block of a thread-safe pool holds the free-list link in its first 8 bytes (a confined pool
 * keeps its links on the Java heap, 8 bytes per block). The blocks live in <em>chunks</em>, each
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
 *   <li>{@link #allocateHandle()}: pop the free list, or else advance a frontier through blocks never handed out,
 *       then mark the block in use: no locks, no heap allocation. Confined: the link is a {@code long} per block on
 *       the Java heap, overwritten in place by the in-use mark. Creating the pool writes no links, so construction does not touch the blocks (the JDK
 *       zero-fills the chunk when reserving it). Thread-safe: a compare-and-set that takes the calling thread's
 *       cache of free blocks and a plain store of the block's state byte (see Threads below); refilling an empty
 *       cache costs one compare-and-set per batch.</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller.</li>
 *   <li>{@link #deallocateHandle(long)}: a bounds check, a test of the block's in-use mark, one 8-byte store of
 *       the link over it. Thread-safe: a compare-and-set on the block's state byte instead, and the
 *       compare-and-set that takes the thread's cache; emptying a full cache onto the shared free list costs one
 *       compare-and-set.</li>
 *   <li>{@link #deallocate(MemorySegment)}: the same after finding the chunk that holds the address: one range
 *       check for chunk 0, a binary search over the chunks' addresses otherwise (O(log chunks)).</li>
 *   <li>Growing: one {@code Arena.allocate} of a chunk, which the JDK zero-fills.</li>
 *   <li>{@link #reset()}: O(chunks touched + blocks handed out since the last reset / 64); with
 *       {@link PoolConfig#zeroOnRelease()}, O(bytes of those blocks).</li>
 *   <li>With a {@link PoolConfig#fillPattern() fill pattern}, each allocation also fills the block.</li>
 *   <li>With {@link PoolConfig#zeroOnRelease()}, each deallocation also fills the block with zeros.</li>
 * </ul>
 *
 * <h2>Scopes</h2>
 * {@link #scope()} opens a scope on the calling thread. While it is the thread's innermost open scope, every block
 * the thread takes, by any method ({@code allocate}, {@code allocateHandle}, the {@code SegmentAllocator} helpers
 * such as {@code allocateFrom}), is recorded in it; closing it gives back, with the same checks, accounting and
 * checked-mode closing as {@link #deallocate(MemorySegment)}, every such block the thread has not given back itself.
 * A block given back by hand, and perhaps handed out again to any scope or thread, is left alone. Scopes nest and
 * close innermost first; a scope belongs to the thread that opened it, and on a thread-safe pool each thread's
 * scopes give back exactly the blocks that thread took. Costs, confined: opening a scope is a small object (which the
 * JIT removes when the scope is used in one method) and one store; each block taken inside a scope, an append to the
 * pool's log of handles (doubling when full); a block given back by hand, nothing more; closing a scope, a test of
 * the in-use mark and a free per block it took. Thread-safe: the first scope creates one {@code long} of tags per
 * block; each block taken inside a scope costs an append to the thread's log and a store of its tag; each block given
 * back by hand while a scope is open, a compare-and-set of its tag; closing a scope, a compare-and-set of the tag per
 * block it took; opening and closing a scope also cost an atomic add each on the pool's count of open scopes and a
 * {@link ThreadLocal} lookup; while any scope is open on any thread, every allocation looks up its thread's log. A
 * pool that never opened a scope, or has none open, pays one predictable branch per call.
 *
 * <h2>Checks</h2>
 * Deallocation is always checked, in O(1), whatever the configuration: a segment or handle that is not the start of
 * a block of this pool throws {@link ErrorCode#FOREIGN_SEGMENT}, and a block that is already free throws
 * {@link ErrorCode#DOUBLE_FREE} (the block's in-use mark tells: its free-list entry in a confined pool, a state
 * byte in a thread-safe one). What the pool cannot see, unless in checked mode: a segment kept across
 * {@link #reset()} or past its scope names a block that may since have been handed out again, and giving it back
 * frees the new owner's block; and writing to a block
 * after giving it back overwrites the free-list link in its first 8 bytes. Every access stays bounds-checked by the
 * FFM API, so neither can touch memory outside the pool.
 *
 * <h2>Threads</h2>
 * By default a pool is confined to the thread that created it: a call from any other thread throws
 * {@link ErrorCode#WRONG_THREAD}, and its segments can only be accessed from that thread. With
 * {@link PoolConfig#threadSafe()} any thread may allocate blocks and give them back, blocks allocated by another
 * thread included; the chunks then belong to one shared {@link Arena}, created with the pool and closed by
 * {@link #close()}.
 * <ul>
 *   <li>Lock-free: {@link #allocate(long, long)}, {@link #allocateHandle()}, {@link #deallocate(MemorySegment)} and
 *       {@link #deallocateHandle(long)}. The free list is a stack whose head carries a version that every push and
 *       pop moves on, so a thread that stalled while others popped a block and pushed it back fails its
 *       compare-and-set instead of installing a stale link (the ABA problem). Each block's state byte is set by the
 *       thread that takes the block and cleared by compare-and-set: of two threads that give back the same block,
 *       exactly one succeeds and the other gets {@link ErrorCode#DOUBLE_FREE}.</li>
 *   <li>Caches of free blocks (magazines, as in jemalloc's thread caches and Netty's adaptive allocator): in front of
 *       the shared free list sit twice as many caches as processors (a power of two, at most 64), each a short free
 *       list of its own that one thread at a time owns for the length of a call. A thread uses the cache its thread
 *       id selects, so that threads running at once mostly use different caches and touch no shared cache line: an
 *       allocation takes the cache's first block, and a deallocation puts the block back first in the cache of the
 *       thread that gives it back, whichever thread took it. An empty cache takes up to half its capacity at once
 *       from the shared free list, or else up to its capacity from the blocks never handed out (within 64
 *       consecutive blocks), with one compare-and-set; a full one moves
 *       all its blocks to the shared free list with one compare-and-set. A thread that finds its cache in use by
 *       another thread uses the shared free list. A cache holds at most 64 blocks, and all the caches together at
 *       most half the first chunk; a pool whose first chunk is too small to give each cache two blocks has none.
 *       The caches belong to the pool, not to threads: a thread that ends leaves its blocks free to the others,
 *       and any number of virtual threads share the same few caches. Blocks in a cache are free: they count in
 *       {@link #freeBlocks()} and {@link #availableBytes()}, their state is free (giving one back again is a
 *       {@link ErrorCode#DOUBLE_FREE}), and before the pool grows or reports {@link ErrorCode#OUT_OF_MEMORY} it moves
 *       every cache's blocks back to the shared free list.</li>
 *   <li>Thread caches: {@link #threadCache()} returns the calling thread's own cache of the pool, a
 *       {@code PoolAllocator} bound to the thread, for a hot loop to hold. Its calls take and put blocks in a cache
 *       that only this thread touches, with plain loads and stores: an allocate-and-free pair costs one atomic
 *       operation (the block's state on its way back) instead of three. The price: a thread's cache is not emptied
 *       when another thread finds the pool full, so {@link ErrorCode#OUT_OF_MEMORY} can then leave up to 64 free
 *       blocks per live thread with a cache behind (the error says how many); a thread's {@code close()} of its
 *       cache, or its end, gives them back. Which to pick: the pool itself when the pool is small for its threads
 *       or when a full pool must mean every block is in use; each thread's cache from {@link #threadCache()} for
 *       hot loops of allocate and free on platform threads (a virtual thread's cache passes its calls to the
 *       pool).</li>
 *   <li>Counts: {@link #usedBytes()}, {@link #freeBlocks()}, {@link #availableBytes()}, the leak report and the
 *       {@link #statistics() statistics} are exact whenever no other thread is allocating or giving back blocks
 *       (after joining the workers, for example). While threads work, the count of blocks in use may be off by
 *       the blocks moving between a cache and the shared free list at that moment, and the statistics' peak is the
 *       largest count in use that an allocating thread computed: exact with one thread; with several, off by at
 *       most the blocks that were moving between a cache and the shared free list when it was computed.</li>
 *   <li>Locked: adding a chunk, creating the scope tags, {@link #reset()} and {@link #close()} take a lock among
 *       themselves. Threads that find the pool full at once wait for it; one empties the caches or adds a chunk,
 *       the others check again and use it. {@link ErrorCode#OUT_OF_MEMORY} means that the pool could not grow and
 *       that, at the last look of the thread that emptied the caches, every block was in use, except a block
 *       another thread was giving back at that moment and blocks in the caches of live threads from
 *       {@link #threadCache()}: the caches are emptied again for as long as a round finds that a give-back filled
 *       one.</li>
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
 * thread-safe) instead of by the block's memory. Giving the block back, the close of the scope it was taken in,
 * {@link #reset()} and {@link #close()} close that arena, so a stale segment throws {@link IllegalStateException} on
 * its next access instead of reading or overwriting the block's next owner, and giving it back again throws
 * {@link ErrorCode#USE_AFTER_FREE}. The pool's accounting is unchanged (the block is still taken from the free list
 * or the frontier and marked allocated), so {@link ErrorCode#OUT_OF_MEMORY} and {@link ErrorCode#DOUBLE_FREE} happen
 * exactly where they would unchecked. It costs a zeroed JDK allocation and a stack walk per allocation, and an arena
 * close per deallocation (tens of nanoseconds when confined; tens of microseconds when thread-safe, since closing a
 * shared arena synchronises with every thread): a debugging mode. Handles from {@link #allocateHandle()} index the
 * chunks, which live until {@link #close()}: checked mode cannot check them, and only records where they were
 * allocated.
 *
 * <h2>Resets and leaks</h2>
 * {@link #reset()} gives back every block and discards every open scope, on every thread: closing a discarded
 * scope throws {@link ErrorCode#INVALID_CHECKPOINT}. {@link #close()} frees every chunk whatever is still handed out.
 * Blocks not given back by then are reported under {@link PoolConfig#leakPolicy()}: how many, their bytes (in
 * strides), the scopes still open (named in the pool's description) and, in checked mode, where each block was
 * allocated (the first {@link LeakReport#MAX_SITES}).
 */
public abstract sealed class PoolAllocator implements Allocator, MemoryUsage, Resettable, StatisticsProvider
        permits ConfinedPool, SharedPool, ThreadCache {

    final long blockSize;
    final long blockAlignment;
    final long stride;
    /** The blocks of the first chunk, and of each chunk growth adds. */
    final int chunkBlocks;
    final long chunkAlignment;
    /** log2 of the stride when it is a power of two, else -1: a block's index in its chunk without a division. */
    final int strideShift;
    /**
     * Whether the chunks keep one state byte per block ({@link ChunkTable#states}): a thread-safe pool's, which marks
     * a block in use with a plain store and frees it with one compare-and-set. A confined pool's in-use marks are
     * its free-list entries.
     */
    final boolean blockStates;
    /** The most chunks this pool can hold. */
    final int maxChunks;
    final PoolConfig config;
    final boolean checked;
    final boolean fill;
    final byte pattern;
    /** Zero a block when it is given back, and its free-list link when it is handed out again. */
    final boolean zeroOnRelease;
    /** Checked mode only: the blocks handed out; {@code null} otherwise. */
    final CheckedBlocks checkedBlocks;
    /** The statistics, or {@code null} when not tracked. */
    final StatisticsRecorder stats;
    /** The arena of the chunks. */
    final Arena arena;
    private final Lifecycle lifecycle;

    PoolAllocator(PoolShape shape, PoolConfig config, Lifecycle lifecycle, int maxChunks) {
        this.blockSize = shape.blockSize();
        this.blockAlignment = shape.blockAlignment();
        this.stride = shape.stride();
        this.chunkBlocks = shape.chunkBlocks();
        this.chunkAlignment = shape.chunkAlignment();
        this.strideShift = Long.bitCount(stride) == 1 ? Long.numberOfTrailingZeros(stride) : -1;
        this.blockStates = config.threadSafe();
        this.maxChunks = maxChunks;
        this.config = config;
        this.checked = CheckedMode.effective(config.checked());
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.zeroOnRelease = config.zeroOnRelease();
        this.checkedBlocks = checked ? new CheckedBlocks(this, config.threadSafe()) : null;
        this.stats = lifecycle.stats();
        this.arena = lifecycle.arena();
        this.lifecycle = lifecycle;
    }

    /** A view of {@code pool} that shares everything it has: its shape, configuration, checked blocks and lifecycle. */
    PoolAllocator(PoolAllocator pool) {
        this.blockSize = pool.blockSize;
        this.blockAlignment = pool.blockAlignment;
        this.stride = pool.stride;
        this.chunkBlocks = pool.chunkBlocks;
        this.chunkAlignment = pool.chunkAlignment;
        this.strideShift = pool.strideShift;
        this.blockStates = pool.blockStates;
        this.maxChunks = pool.maxChunks;
        this.config = pool.config;
        this.checked = pool.checked;
        this.fill = pool.fill;
        this.pattern = pool.pattern;
        this.zeroOnRelease = pool.zeroOnRelease;
        this.checkedBlocks = pool.checkedBlocks;
        this.stats = pool.stats;
        this.arena = pool.arena;
        this.lifecycle = pool.lifecycle;
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
     * @throws NullPointerException when {@code config} is {@code null}
     */
    public static PoolAllocator create(long blockSize, long blockAlignment, int blockCount, PoolConfig config) {
        Objects.requireNonNull(config, "config");
        PoolShape shape = PoolShape.of(blockSize, blockAlignment, blockCount, config);
        return config.threadSafe() ? new SharedPool(shape, config) : new ConfinedPool(shape, config);
    }

    /**
     * Returns the configuration this pool was created with.
     *
     * @return the configuration
     */
    public final PoolConfig config() {
        return config;
    }

    /**
     * Returns the size of each block.
     *
     * @return the block size in bytes
     */
    public final long blockSize() {
        return blockSize;
    }

    /**
     * Returns the alignment that every block has: at least the one asked for at creation, and more when the
     * stride allows (a pool of 128-byte blocks created with alignment 8 has 64-byte aligned blocks). Requests
     * with up to this alignment are accepted.
     *
     * @return the block alignment in bytes, a power of two
     */
    public final long blockAlignment() {
        return blockAlignment;
    }

    /**
     * Returns the distance between the starts of adjacent blocks: the block size rounded up to a multiple of the
     * requested alignment and of 8. {@link #usedBytes()} and {@link #availableBytes()} count in strides.
     *
     * @return the stride in bytes
     */
    public final long stride() {
        return stride;
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
     * Returns the number of blocks the pool holds now, in use or free, over all its chunks.
     *
     * @return the block count
     */
    public final long blockCount() {
        return table().totalBlocks;
    }

    /**
     * Returns the number of blocks that can be handed out without growing.
     *
     * @return the free block count
     */
    public final long freeBlocks() {
        long live = live();
        return table().totalBlocks - live;
    }

    /**
     * Returns the number of chunks: one, plus one per growth.
     *
     * @return the chunk count
     */
    public final int chunkCount() {
        return table().count;
    }

    /**
     * Returns the first chunk. Handles of blocks in this chunk are offsets into it; for a pool that never grew,
     * that is every handle.
     *
     * @return the first chunk's segment, {@code blockCount * stride()} bytes long at creation
     */
    public final MemorySegment segment() {
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
    public final MemorySegment segmentOf(long handle) {
        ChunkTable table = table();
        if (Handles.chunkOf(handle) >= table.count) {
            throw Events.allocationError(PoolErrors.unknownChunk(this, table, handle));
        }
        return table.segments[Handles.chunk(handle)];
    }

    /**
     * Returns the byte offset of a handle's block in {@link #segmentOf(long) its chunk}.
     *
     * @param handle a handle returned by {@link #allocateHandle()}
     * @return the offset in bytes
     */
    public static long offsetOf(long handle) {
        return Handles.offset(handle);
    }

    /**
     * Hands out one whole block: the zero-garbage counterpart of {@link #allocate()}. In checked mode the block is
     * not checked (see the class documentation); only where it was allocated is recorded. Inside a
     * {@link #scope()}, the block is recorded in it.
     *
     * @return the block's handle; see {@link #segmentOf(long)} and {@link #offsetOf(long)}
     * @throws AllocationException {@link ErrorCode#OUT_OF_MEMORY} when every block is in use and the pool may not
     *     grow (or the system refuses a new chunk), {@link ErrorCode#USE_AFTER_FREE} when a write into a block after
     *     it was given back broke the free list (until {@link #reset()}), or {@link ErrorCode#CLOSED} or
     *     {@link ErrorCode#WRONG_THREAD}
     */
    public abstract long allocateHandle();

    /**
     * Hands out one whole block as a segment of {@link #blockSize()} bytes.
     *
     * @return the block
     * @throws AllocationException as {@link #allocateHandle()}
     */
    public final MemorySegment allocate() {
        return allocate(blockSize, blockAlignment);
    }

    /**
     * Hands out one block, as a segment of exactly {@code byteSize} bytes at the block's start.
     *
     * <p>Any request that fits a block is served by a whole block: {@code byteSize} up to {@link #blockSize()}
     * and {@code byteAlignment} up to {@link #blockAlignment()}. Costs one {@link #allocateHandle()} and one
     * {@code asSlice}; in checked mode, a JDK arena and allocation of its own instead of the slice. Inside a
     * {@link #scope()}, the block is recorded in it.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code byteSize} is negative or larger than
     *     the block size, {@link ErrorCode#INVALID_ALIGNMENT} when {@code byteAlignment} is not a power of two or
     *     larger than the block alignment, or any error of {@link #allocateHandle()}
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
            failed();
            throw Events.allocationError(SegmentRequests.invalidCount(toString(), elementLayout, count,
                    availableBytes(), usedBytes()));
        }
        return bytes;
    }

    /**
     * Gives back a block that {@link #allocateHandle()} returned.
     *
     * @param handle the block's handle
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the handle is not the start of a block
     *     of this pool, {@link ErrorCode#DOUBLE_FREE} when the block is already free, or {@link ErrorCode#CLOSED}
     *     or {@link ErrorCode#WRONG_THREAD}
     */
    public abstract void deallocateHandle(long handle);

    /**
     * Puts the segment's block back on the free list. The segment must start at a block of this pool and be no
     * larger than a block: any segment {@link #allocate(long, long)} returned qualifies, whatever size it asked
     * for. In checked mode, closes the segment's own arena: every copy of the segment becomes inaccessible.
     *
     * @param segment a segment that this pool returned
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the segment is not a block of this pool,
     *     {@link ErrorCode#DOUBLE_FREE} when the block is already free, in checked mode
     *     {@link ErrorCode#USE_AFTER_FREE} when the segment was already given back or released by {@link #reset()}
     *     or by its scope, or {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public abstract void deallocate(MemorySegment segment);

    /**
     * Opens a scope on the calling thread: closing it gives back every block this thread takes from the pool while
     * it is the thread's innermost open scope, and does not give back itself (see the class documentation).
     * <pre>{@code
     * try (Scope _ = pool.scope()) {
     *     MemorySegment a = pool.allocate();
     *     long h = pool.allocateHandle();
     * }   // a and h are given back here, on return and on throw
     * }</pre>
     *
     * @return the scope, to close on the same thread, innermost first (try-with-resources does both)
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public abstract Scope scope();

    /**
     * Returns the calling thread's cache of this pool: a pool bound to this thread, with a cache of free blocks that
     * only this thread takes from and gives back to, so that its allocations and deallocations need no atomic
     * operation beyond the compare-and-set of each block's state on its way back. The same cache on every call
     * from one platform thread (but see virtual threads below). A confined pool returns itself.
     * <pre>{@code
     * PoolAllocator blocks = pool.threadCache();     // once per task, on the task's thread
     * for (Message m : batch) {
     *     MemorySegment node = blocks.allocate();
     *     ...
     *     blocks.deallocate(node);                    // back in this thread's cache
     * }
     * blocks.close();                                  // the cached blocks go back to the pool; the pool stays open
     * }</pre>
     *
     * <p>What the cache does, on a thread-safe pool:
     * <ul>
     *   <li>Allocation takes the block last put in the cache with plain loads and stores; an empty cache takes up to
     *       half its capacity from the shared free list, or up to its capacity of never-used blocks, with one
     *       compare-and-set, and the pool grows or reports {@link ErrorCode#OUT_OF_MEMORY} as usual when neither
     *       has a block.</li>
     *   <li>Deallocation of any block of the pool, whichever thread took it, claims the block with one
     *       compare-and-set of its state ({@link ErrorCode#DOUBLE_FREE} for the thread that loses) and puts it in
     *       the cache; a full cache first moves all its blocks to the shared free list with one compare-and-set.</li>
     *   <li>The cache holds as many blocks as one of the pool's shared caches (at most 64). Its blocks are free:
     *       they count in {@link #freeBlocks()}, and giving one back again is a double free. But only its thread
     *       takes them: unlike the shared caches, the pool cannot empty a thread's cache before it reports
     *       {@link ErrorCode#OUT_OF_MEMORY}, and the error then says how many free blocks the thread caches
     *       hold. {@link #close()} on the cache gives its blocks back to the shared free list and leaves the pool
     *       open; the cache stays usable and refills on its next allocation. The blocks in the cache of a thread
     *       that has ended go back to the shared free list when the pool next finds no free block, or when
     *       another thread first asks for its cache.</li>
     *   <li>Everything else is the pool's: {@link #scope()} opens a scope on the pool for this thread, and blocks
     *       taken through the cache are logged in it; {@link #reset()} resets the pool and empties every thread's
     *       cache; the counts and statistics are the pool's; checked mode, a fill pattern, zero-on-release and
     *       statistics work as on the pool, at the pool's cost.</li>
     *   <li>A virtual thread's cache holds no blocks: it takes from and gives back to the shared caches, which
     *       virtual threads share, so that any number of virtual threads strand no blocks. So does every thread's
     *       cache of a pool that has no shared caches (its first chunk has too few blocks to give each two).
     *       Holding nothing, such a cache is a new object on each call.</li>
     *   <li>The cache is bound to its thread: a call from another thread throws {@link ErrorCode#WRONG_THREAD}.
     *       Segments it hands out may be used and given back by any thread, like the pool's.</li>
     * </ul>
     *
     * @return this thread's cache of a thread-safe pool; a confined pool itself
     * @throws AllocationException {@link ErrorCode#CLOSED}, or {@link ErrorCode#WRONG_THREAD} on a confined pool
     *     or a thread cache called from another thread
     */
    public abstract PoolAllocator threadCache();

    /**
     * Gives every block back at once, and leaves the chunks in place: the next allocations hand out blocks from
     * the first chunk's start again. Discards every open scope (of every thread): closing one afterwards throws
     * {@link ErrorCode#INVALID_CHECKPOINT}. A confined pool's reset costs O(chunks touched), a thread-safe pool's
     * O(chunks touched + blocks handed out since the last reset), to clear those blocks' state bytes; with
     * {@link PoolConfig#zeroOnRelease()}, either also costs O(bytes of those blocks) to zero them. In checked mode,
     * closes the arena of every segment handed out.
     *
     * <p>A thread-safe pool must not be used by other threads while it resets (see the class documentation).
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public abstract void reset();

    /** The chunks: the latest table. */
    abstract ChunkTable table();

    /** Blocks in use. */
    abstract long live();

    /** Scopes open: on this pool's thread, or on every thread of a thread-safe pool. */
    abstract long openScopes();

    /** Whether the block was handed out since the pool was created or last reset, for error messages. */
    abstract boolean handedOutSinceReset(int chunk, long offset);

    /** Why the pool may hold no more than {@link #maxChunks}, for error messages; empty when obvious. */
    abstract String chunkLimitNote();

    /**
     * Gives back the block behind a segment, unchecked mode: finds its chunk, refuses a segment that is not a block
     * of this pool ({@link ErrorCode#FOREIGN_SEGMENT}), and releases the block.
     */
    final void releaseSegment(ChunkTable table, MemorySegment segment) {
        int chunk = table.chunkContaining(segment.address());
        if (chunk < 0 || !segment.isNative() || segment.byteSize() > blockSize) {
            throw Events.allocationError(PoolErrors.foreignSegment(this, table, segment, chunk));
        }
        release(table, chunk, segment.address() - table.bases[chunk], segment.byteSize(), segment);
    }

    /** Gives back a block, with every check: the path of a hand deallocation. */
    abstract void release(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment);

    /**
     * Clears the scope tag of a block given back by hand, so that no scope gives it back again; throws
     * {@link ErrorCode#DOUBLE_FREE} when the block's scope is giving it back at this moment (thread-safe pools).
     */
    abstract void untag(ChunkTable table, int chunk, long offset, MemorySegment segment);

    /** Frees a block known to be in use, untagged: clears its in-use mark or state, links it and counts it. */
    abstract void free(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment);

    /** The free blocks held in thread caches ({@link #threadCache()}), which only their threads can take. */
    long blocksInThreadCaches() {
        return 0;
    }

    /** How many thread caches ({@link #threadCache()}) hold free blocks. */
    int threadCacheCount() {
        return 0;
    }

    /** Whether a request can be served by a block. */
    final boolean fits(long byteSize, long byteAlignment) {
        return byteSize >= 0 && byteSize <= blockSize && Requests.isPowerOfTwo(byteAlignment)
                && byteAlignment <= blockAlignment;
    }

    /** The error for a request that {@link #fits} refuses, counted as a failed allocation. */
    final AllocationException invalidRequest(long byteSize, long byteAlignment) {
        failed();
        return Events.allocationError(PoolErrors.invalidRequest(this, byteSize, byteAlignment));
    }

    /** Counts a failed allocation. */
    final void failed() {
        if (stats != null) {
            stats.failed();
        }
    }

    /** The index in its chunk of the block at {@code offset}. */
    final int indexOf(long offset) {
        return (int) (strideShift >= 0 ? offset >>> strideShift : offset / stride);
    }

    /** Zero-on-release: writes zeros over a block given back, before its free-list link is written into it. */
    final void zeroBlock(MemorySegment chunk, long offset) {
        MemoryKernels.fill(chunk, offset, blockSize, (byte) 0);
    }

    /** Writes the fill pattern over a block. */
    final void fillBlock(MemorySegment chunk, long offset) {
        MemoryKernels.fill(chunk, offset, blockSize, pattern);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any part of any chunk counts, whether or not it is a block in use; in checked mode, so does a segment
     * handed out and not yet given back.
     *
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public final boolean owns(MemorySegment segment) {
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
    public final long usedBytes() {
        return live() * stride;
    }

    /**
     * Returns the bytes of the free blocks in the chunks the pool has now: free blocks times the
     * {@link #stride()}. Growth may add more.
     *
     * @return bytes available without growing
     */
    @Override
    public final long availableBytes() {
        return freeBlocks() * stride;
    }

    @Override
    public final long capacityBytes() {
        return table().totalBlocks * stride;
    }

    @Override
    public final Optional<AllocationStatistics> statistics() {
        return lifecycle.statistics(usedBytes());
    }

    @Override
    public final boolean isClosed() {
        return lifecycle.isClosed();
    }

    /**
     * Frees every chunk: every segment handed out becomes inaccessible. Closing again does nothing. Blocks still
     * handed out are reported under the config's {@link io.nebula.memory.LeakPolicy}, with the scopes still open
     * named in the pool's description. A thread-safe pool may be closed by any thread, once the others are done
     * with it.
     *
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from a thread other than a confined pool's owner,
     *     or {@link ErrorCode#LEAK} when blocks are live and the leak policy is {@code FAIL} (the memory is freed all
     *     the same)
     */
    @Override
    public void close() {
        lifecycle.close(this, this::leakReport, this::releaseCheckedArenas);
    }

    /** Called once when the pool closes, before anything is freed: forgets what the hot paths cache. */
    void closing() {
    }

    /** The blocks still handed out, in strides, and in checked mode where each was allocated. */
    private LeakReport leakReport() {
        long live = live();
        return new LeakReport(toString(), live, openScopes(), live * stride,
                checked ? checkedBlocks.sites(LeakReport.MAX_SITES) : List.of());
    }

    private void releaseCheckedArenas() {
        closing();
        if (checked) {
            checkedBlocks.releaseAll();
        }
    }

    @Override
    public final String toString() {
        ChunkTable table = table();
        long live = live();
        long scopes = openScopes();
        return "PoolAllocator[blockSize=" + blockSize + ", stride=" + stride + ", blocks=" + table.totalBlocks
                + ", free=" + (table.totalBlocks - live) + ", chunks=" + table.count
                + (scopes > 0 ? ", " + scopes + " open scope(s)" : "")
                + (config.threadSafe() ? ", thread-safe" : "") + (checked ? ", checked" : "")
                + (isClosed() ? ", closed" : "") + viewNote() + "]";
    }

    /** What a view of a pool adds to its description: which thread's cache it is; empty for a pool. */
    String viewNote() {
        return "";
    }
}
