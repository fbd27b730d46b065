package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One bump arena of a {@link BlockTable}: blocks are appended to it and it is reset as a whole once none of them
 * is live. It remembers which slot it placed at which offset, so that compaction can find its live blocks without
 * scanning every slot of the store.
 */
final class Chunk {

    /** The chunk's index in the table, recorded in the slots of its blocks. */
    final int index;
    /** The arena that owns the chunk's native memory. */
    final BumpAllocator arena;
    /** The arena's backing segment: blocks are at offsets into it. */
    final MemorySegment memory;
    /** Whether the chunk holds one block too large for a shared chunk, and is freed with it. */
    final boolean large;

    /** Bytes of the live blocks, each rounded up to 8 as placed. */
    long liveBytes;
    /** Number of live blocks. */
    int liveBlocks;
    /** Whether the chunk waits in the table's compaction queue. */
    boolean queued;

    /** (slot << 32 | offset) of every block placed since the last reset, live or not. */
    private long[] placements = new long[16];
    private int placementCount;

    Chunk(int index, BumpAllocator arena, boolean large) {
        this.index = index;
        this.arena = arena;
        this.memory = arena.segment();
        this.large = large;
    }

    /** Records that {@code slot}'s block was placed at {@code offset}. */
    void placed(int slot, long offset) {
        if (placementCount == placements.length) {
            placements = Arrays.copyOf(placements, placementCount * 2);
        }
        placements[placementCount++] = (long) slot << 32 | offset;
    }

    /** Returns the number of placements since the last reset. */
    int placementCount() {
        return placementCount;
    }

    /** Returns the slot of placement {@code i}. */
    int slotAt(int i) {
        return (int) (placements[i] >>> 32);
    }

    /** Returns the offset of placement {@code i}. */
    long offsetAt(int i) {
        return placements[i] & 0xFFFF_FFFFL;
    }

    /** Releases every block at once: the arena is reset and the chunk is empty. */
    void reset() {
        arena.reset();
        liveBytes = 0;
        liveBlocks = 0;
        placementCount = 0;
        if (placements.length > 1024) {
            placements = new long[16];
        }
    }
}
