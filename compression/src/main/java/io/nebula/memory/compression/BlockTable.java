package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a store keeps its blocks: a slot per block (its chunk, offset and lengths, on the heap) and the native
 * memory of the blocks, in chunks that are bump arenas. Not thread-safe; each store guards it by its own contract.
 *
 * <h2>Memory</h2>
 * A block is appended to the <em>current</em> chunk, a {@link BumpAllocator} of the configured size; when it does
 * not fit, a spare chunk or a new one becomes current. A block larger than a quarter of a chunk gets an arena of
 * its own, freed with it, so that a chunk never wastes more than a quarter of itself at its end. A bump arena
 * cannot free one block, so freeing is bookkeeping, and memory comes back by whole chunks:
 * <ul>
 *   <li>a chunk whose last live block is freed is reset; the current chunk is reused from its start, any other
 *       becomes the one spare (or is closed when there is a spare already);</li>
 *   <li>a chunk other than the current one whose live blocks fill less than half of its used bytes is
 *       <em>compacted</em>: its live blocks are copied into the current chunk, their slots are updated (handles
 *       name slots, so they stay valid), and the chunk is reset.</li>
 * </ul>
 * So fragmentation stays bounded whatever the order of frees: apart from the current chunk and one spare, every
 * chunk is at least half live, and the native memory held is at most about twice the live blocks plus two chunks.
 * A free costs O(1), except the free that triggers a compaction, which copies less than half a chunk.
 *
 * <h2>Handles</h2>
 * A handle is a {@code long}: 16 bits that identify the store, 20 bits of the slot's generation (incremented when
 * its block is freed) and 28 bits of slot index. A handle of another store, of a freed block, or never issued is
 * recognised and refused; a stale handle is refused until its slot has been reused a million times.
 */
final class BlockTable {

    private static final int SLOT_BITS = 28;
    private static final int GENERATION_BITS = 20;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
    private static final int GENERATION_MASK = (1 << GENERATION_BITS) - 1;
    private static final int TAG_SHIFT = SLOT_BITS + GENERATION_BITS;
    private static final long TAG_MASK = 0xFFFFL << TAG_SHIFT;
    /** The most blocks one store holds at once. */
    static final int MAX_BLOCKS = 1 << SLOT_BITS;

    private static final AtomicInteger TAGS = new AtomicInteger();

    private final long tag;
    private final long chunkBytes;
    private final long largeBlockBytes;
    private final boolean threadSafe;

    private int[] slotChunk = new int[64];
    private int[] slotOffset = new int[64];
    private int[] slotLength = new int[64];
    private int[] slotRawLength = new int[64];
    private int[] slotGeneration = new int[64];
    private int slotCount;
    private int[] freeSlots = new int[16];
    private int freeSlotCount;

    private Chunk[] chunks = new Chunk[8];
    private int chunkCount;
    private int[] freeChunkIndices = new int[8];
    private int freeChunkIndexCount;
    private Chunk current;
    private Chunk spare;
    private final ArrayDeque<Chunk> compactionQueue = new ArrayDeque<>();

    private long puts;
    private long frees;
    private long bytesIn;
    private long bytesStored;
    private long liveBlocks;
    private long liveRawBytes;
    private long liveStoredBytes;
    private long compactions;
    private long bytesMoved;
    private long reservedBytes;
    private long usedBytes;

    BlockTable(long chunkBytes, boolean threadSafe) {
        int t;
        do {
            t = TAGS.incrementAndGet() & 0xFFFF;
        } while (t == 0);
        this.tag = (long) t << TAG_SHIFT;
        this.chunkBytes = chunkBytes;
        this.largeBlockBytes = chunkBytes / 4;
        this.threadSafe = threadSafe;
    }

    /**
     * Copies a composed block into the store's memory and returns its handle.
     *
     * @param block     a complete block (header and payload), at most {@code Integer.MAX_VALUE} bytes
     * @param source    the store, for error messages
     * @return the block's handle
     * @throws CompressionException {@link CompressionError#TOO_LARGE} when the store holds {@link #MAX_BLOCKS}
     * @throws io.nebula.memory.AllocationException when a chunk's native memory cannot be reserved
     */
    long add(MemorySegment block, Object source) {
        int length = (int) block.byteSize();
        int rawLength = BlockFormat.rawLength(block);
        int slot = takeSlot(source);
        try {
            place(slot, length);
        } catch (RuntimeException | Error e) {
            giveBackSlot(slot);
            throw e;
        }
        Chunk chunk = chunks[slotChunk[slot]];
        MemoryKernels.copy(block, 0, chunk.memory, slotOffset[slot], length);
        slotLength[slot] = length;
        slotRawLength[slot] = rawLength;
        puts++;
        bytesIn += rawLength;
        bytesStored += length;
        liveBlocks++;
        liveRawBytes += rawLength;
        liveStoredBytes += length;
        drainCompactions();
        return tag | (long) slotGeneration[slot] << SLOT_BITS | slot;
    }

    /**
     * Returns the slot that {@code handle} names.
     *
     * @throws CompressionException {@link CompressionError#INVALID_HANDLE} for a handle of another store, of a freed
     *     block, or never issued
     */
    int resolve(long handle, Object source) {
        int slot = (int) (handle & SLOT_MASK);
        int generation = (int) (handle >>> SLOT_BITS) & GENERATION_MASK;
        if ((handle & TAG_MASK) == tag && slot < slotCount && slotChunk[slot] >= 0
                && slotGeneration[slot] == generation) {
            return slot;
        }
        throw invalidHandle(handle, slot, generation, source);
    }

    /** Tells whether {@code handle} names a live block of this table. */
    boolean contains(long handle) {
        int slot = (int) (handle & SLOT_MASK);
        int generation = (int) (handle >>> SLOT_BITS) & GENERATION_MASK;
        return (handle & TAG_MASK) == tag && slot < slotCount && slotChunk[slot] >= 0
                && slotGeneration[slot] == generation;
    }

    /** Returns the block in {@code slot}: its header and payload, in the store's memory. */
    MemorySegment block(int slot) {
        return chunks[slotChunk[slot]].memory.asSlice(slotOffset[slot], slotLength[slot]);
    }

    /** Returns the raw length recorded when the block in {@code slot} was added. */
    int rawLength(int slot) {
        return slotRawLength[slot];
    }

    /** Returns the block length (header and payload) of {@code slot}. */
    int length(int slot) {
        return slotLength[slot];
    }

    /** Frees the block in {@code slot}; its handle is invalid from now on. */
    void remove(int slot) {
        Chunk chunk = chunks[slotChunk[slot]];
        long size = align(slotLength[slot]);
        frees++;
        liveBlocks--;
        liveRawBytes -= slotRawLength[slot];
        liveStoredBytes -= slotLength[slot];
        giveBackSlot(slot);
        chunk.liveBytes -= size;
        chunk.liveBlocks--;
        if (chunk.large) {
            closeChunk(chunk);
        } else if (chunk.liveBlocks == 0) {
            if (chunk == current) {
                resetChunk(chunk);
            } else {
                recycle(chunk);
            }
        } else if (chunk != current && needsCompaction(chunk)) {
            enqueue(chunk);
        }
        drainCompactions();
    }

    /** Bytes of the chunks' arenas in use: live blocks, freed ones not yet reclaimed, and padding. */
    long usedBytes() {
        return usedBytes;
    }

    /** Bytes of native memory the chunks hold. */
    long reservedBytes() {
        return reservedBytes;
    }

    /** Returns the number of live blocks. */
    long liveBlocks() {
        return liveBlocks;
    }

    /** Returns the bytes of the live blocks, headers included. */
    long liveStoredBytes() {
        return liveStoredBytes;
    }

    /**
     * Returns the counters; {@code gets} and {@code bytesOut} are the store's.
     */
    StoreStatistics statistics(long gets, long bytesOut) {
        return new StoreStatistics(puts, gets, frees, bytesIn, bytesOut, bytesStored, liveBlocks, liveRawBytes,
                liveStoredBytes, reservedBytes, compactions, bytesMoved);
    }

    /** Frees every chunk's native memory. */
    void close() {
        for (int i = 0; i < chunkCount; i++) {
            if (chunks[i] != null) {
                chunks[i].arena.close();
                chunks[i] = null;
            }
        }
        current = null;
        spare = null;
        compactionQueue.clear();
        reservedBytes = 0;
        usedBytes = 0;
    }

    // ---- slots

    private int takeSlot(Object source) {
        if (freeSlotCount > 0) {
            return freeSlots[--freeSlotCount];
        }
        if (slotCount == MAX_BLOCKS) {
            throw BlockFormat.error(CompressionError.TOO_LARGE, source, -1,
                    "the store holds " + MAX_BLOCKS + " blocks, the most one store can hold",
                    "Free blocks that are no longer needed, or spread the data over several stores.");
        }
        if (slotCount == slotChunk.length) {
            int n = slotCount * 2;
            slotChunk = Arrays.copyOf(slotChunk, n);
            slotOffset = Arrays.copyOf(slotOffset, n);
            slotLength = Arrays.copyOf(slotLength, n);
            slotRawLength = Arrays.copyOf(slotRawLength, n);
            slotGeneration = Arrays.copyOf(slotGeneration, n);
        }
        int slot = slotCount++;
        slotGeneration[slot] = 1;
        slotChunk[slot] = -1;
        return slot;
    }

    private void giveBackSlot(int slot) {
        slotChunk[slot] = -1;
        int generation = (slotGeneration[slot] + 1) & GENERATION_MASK;
        slotGeneration[slot] = generation == 0 ? 1 : generation;
        if (freeSlotCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlotCount * 2);
        }
        freeSlots[freeSlotCount++] = slot;
    }

    // ---- chunks

    /** Reserves {@code length} bytes for {@code slot}'s block and records where. */
    private void place(int slot, int length) {
        long size = align(length);
        Chunk chunk;
        if (size > largeBlockBytes) {
            chunk = newChunk(size, true);
        } else {
            chunk = current;
            if (chunk == null || chunk.arena.availableBytes() < size) {
                chunk = switchCurrent();
            }
        }
        long offset = allocate(chunk, size);
        chunk.placed(slot, offset);
        chunk.liveBytes += size;
        chunk.liveBlocks++;
        slotChunk[slot] = chunk.index;
        slotOffset[slot] = (int) offset;
    }

    private long allocate(Chunk chunk, long size) {
        long offset = chunk.arena.allocateOffset(size, 8);
        usedBytes += size;
        return offset;
    }

    /** Makes a spare or a new chunk current; the previous current chunk is compacted when it is mostly free. */
    private Chunk switchCurrent() {
        Chunk previous = current;
        if (spare != null) {
            current = spare;
            spare = null;
        } else {
            current = newChunk(chunkBytes, false);
        }
        if (previous != null && needsCompaction(previous)) {
            enqueue(previous);
        }
        return current;
    }

    private static boolean needsCompaction(Chunk chunk) {
        return chunk.liveBytes * 2 < chunk.arena.usedBytes();
    }

    private void enqueue(Chunk chunk) {
        if (!chunk.queued) {
            chunk.queued = true;
            compactionQueue.add(chunk);
        }
    }

    /**
     * Compacts the queued chunks that still need it. Each compaction recycles a chunk; moving its blocks can fill
     * the current chunk and queue that one in turn, so the loop is bounded by the chunks there were.
     */
    private void drainCompactions() {
        int budget = chunkCount + 2;
        while (!compactionQueue.isEmpty() && budget-- > 0) {
            Chunk chunk = compactionQueue.poll();
            chunk.queued = false;
            if (chunks[chunk.index] == chunk && chunk != current && chunk != spare && chunk.liveBlocks > 0
                    && needsCompaction(chunk)) {
                compact(chunk);
            }
        }
    }

    /** Moves the live blocks of {@code chunk} into the current chunk, then recycles it. */
    private void compact(Chunk chunk) {
        for (int i = 0, n = chunk.placementCount(); i < n; i++) {
            int slot = chunk.slotAt(i);
            long offset = chunk.offsetAt(i);
            if (slotChunk[slot] != chunk.index || slotOffset[slot] != offset) {
                continue;   // freed, or freed and reused elsewhere
            }
            int length = slotLength[slot];
            long size = align(length);
            Chunk target = current;
            if (target == null || target.arena.availableBytes() < size) {
                target = switchCurrent();
            }
            long moved = allocate(target, size);
            MemoryKernels.copy(chunk.memory, offset, target.memory, moved, length);
            target.placed(slot, moved);
            target.liveBytes += size;
            target.liveBlocks++;
            slotChunk[slot] = target.index;
            slotOffset[slot] = (int) moved;
            bytesMoved += length;
        }
        compactions++;
        recycle(chunk);
    }

    /** Resets a chunk none of whose blocks is live, and keeps it as the spare or closes it. */
    private void recycle(Chunk chunk) {
        resetChunk(chunk);
        if (spare == null) {
            spare = chunk;
        } else {
            closeChunk(chunk);
        }
    }

    private void resetChunk(Chunk chunk) {
        usedBytes -= chunk.arena.usedBytes();
        chunk.reset();
    }

    private Chunk newChunk(long bytes, boolean large) {
        int index;
        if (freeChunkIndexCount > 0) {
            index = freeChunkIndices[--freeChunkIndexCount];
        } else {
            if (chunkCount == chunks.length) {
                chunks = Arrays.copyOf(chunks, chunkCount * 2);
            }
            index = chunkCount++;
        }
        BumpAllocator arena;
        try {
            arena = BumpAllocator.create(bytes, BumpConfig.defaults().withThreadSafe(threadSafe));
        } catch (RuntimeException | Error e) {
            freeChunkIndex(index);
            throw e;
        }
        Chunk chunk = new Chunk(index, arena, large);
        chunks[index] = chunk;
        reservedBytes += arena.capacityBytes();
        return chunk;
    }

    private void closeChunk(Chunk chunk) {
        usedBytes -= chunk.arena.usedBytes();
        reservedBytes -= chunk.arena.capacityBytes();
        chunk.arena.close();
        chunks[chunk.index] = null;
        freeChunkIndex(chunk.index);
    }

    private void freeChunkIndex(int index) {
        if (freeChunkIndexCount == freeChunkIndices.length) {
            freeChunkIndices = Arrays.copyOf(freeChunkIndices, freeChunkIndexCount * 2);
        }
        freeChunkIndices[freeChunkIndexCount++] = index;
    }

    private static long align(long length) {
        return (length + 7) & ~7L;
    }

    private CompressionException invalidHandle(long handle, int slot, int generation, Object source) {
        String details;
        if (handle == 0) {
            details = "0 is never a handle";
        } else if ((handle & TAG_MASK) != tag) {
            details = "the handle 0x" + Long.toHexString(handle) + " was issued by another store (store tag "
                    + (handle >>> TAG_SHIFT) + ", this store's is " + (tag >>> TAG_SHIFT) + "), or is not a handle";
        } else if (slot >= slotCount) {
            details = "the handle 0x" + Long.toHexString(handle) + " names slot " + slot + ", but this store has "
                    + "issued only " + slotCount;
        } else {
            details = "the handle 0x" + Long.toHexString(handle) + " names slot " + slot + " at generation "
                    + generation + ", whose block was freed (the slot is at generation " + slotGeneration[slot]
                    + (slotChunk[slot] >= 0 ? " and holds another block)" : ")");
        }
        return BlockFormat.error(CompressionError.INVALID_HANDLE, source, -1, details,
                "Use a handle that put() of this store returned, and only until it is freed.",
                "Check for a double free or a use after free: contains(handle) tells whether a block is live.");
    }
}
