package io.nebula.memory.pool;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The chunks of a pool as one immutable value: each chunk's segment, address and size in bytes, a thread-safe pool's
 * block states, and the chunks in ascending address order, to find the chunk that holds an address.
 *
 * <p>Growth makes a new table with one more chunk ({@link #with(MemorySegment, long, int)}); a thread-safe pool
 * publishes each new table with release semantics, so a thread that reads the table sees a consistent set of chunks
 * without taking a lock. Successive tables share their arrays where that is safe: a table reads no index at or past
 * its own {@link #count}, and growth writes only there, except that an out-of-order chunk address is inserted into
 * fresh copies of the sorted arrays. Adding a chunk therefore costs O(1) amortised when chunk addresses ascend, as
 * the system usually hands them out, and O(chunks) otherwise.
 *
 * <p>The block states (one byte per block, 1 while in use; a thread-safe pool's only, so that marking a block in use
 * is a plain store of its own byte, and giving it back one compare-and-set on it) and the scope tags are the only
 * state that changes in place. A confined pool keeps its in-use marks in its free-list entries instead
 * ({@link ConfinedPool}), and its table has no states.
 *
 * <p>Scope tags (one {@code long} per block, by index in its chunk; a thread-safe pool's only) exist once the pool
 * has opened a scope ({@link #withTags(long)}); before that {@link #tags} is {@code null}, and a pool that never
 * opens a scope never pays for them. A tag holds the id of the open scope that took the block, or 0 (see {@link PoolScope}). Once
 * created, a chunk's tag array is the same object in every later table.
 */
final class ChunkTable {

    /** Each chunk's segment, by chunk index. */
    final MemorySegment[] segments;
    /** Each chunk's address. */
    final long[] bases;
    /** Each chunk's size in bytes. */
    final long[] limits;
    /**
     * Each chunk's block states, one byte per block, 1 while in use, block {@code i}'s at {@code STATE_PADDING + i};
     * {@code null} in a confined pool's table.
     */
    final byte[][] states;
    /** Chunk addresses in ascending order, and the chunk index of each. */
    final long[] sortedBases;
    final int[] sortedChunks;
    /** Each chunk's scope tags, one per block; {@code null} until the pool opens its first scope. */
    final long[][] tags;
    /** The number of chunks. */
    final int count;
    /** The blocks in all chunks. */
    final long totalBlocks;

    /**
     * Unused bytes before the first block state and after the last: a cache line, so that the states, written on
     * every allocate and free, never share a line with another object (the table's own arrays, read on every
     * call, or whatever a collection moves beside them).
     */
    static final int STATE_PADDING = 64;

    private ChunkTable(MemorySegment[] segments, long[] bases, long[] limits, byte[][] states,
                       long[] sortedBases, int[] sortedChunks, long[][] tags, int count, long totalBlocks) {
        this.segments = segments;
        this.bases = bases;
        this.limits = limits;
        this.states = states;
        this.sortedBases = sortedBases;
        this.sortedChunks = sortedChunks;
        this.tags = tags;
        this.count = count;
        this.totalBlocks = totalBlocks;
    }

    /** A table of one chunk; see {@link #with} for the arguments. */
    static ChunkTable of(MemorySegment first, long blocks, long stride, boolean blockStates) {
        return new ChunkTable(new MemorySegment[4], new long[4], new long[4], blockStates ? new byte[4][] : null,
                new long[4], new int[4], null, 0, 0)
                .with(first, blocks, stride);
    }

    /**
     * Returns a table with {@code chunk}, of {@code blocks} blocks, added as the last chunk index: with one state byte
     * per block of {@code stride} bytes when this table has {@link #states}.
     */
    ChunkTable with(MemorySegment chunk, long blocks, long stride) {
        int index = count;
        MemorySegment[] newSegments = segments;
        long[] newBases = bases;
        long[] newLimits = limits;
        byte[][] newStates = states;
        long[] newSortedBases = sortedBases;
        int[] newSortedChunks = sortedChunks;
        long[][] newTags = tags;
        if (index == segments.length) {
            int length = index * 2;
            newSegments = Arrays.copyOf(segments, length);
            newBases = Arrays.copyOf(bases, length);
            newLimits = Arrays.copyOf(limits, length);
            newStates = states == null ? null : Arrays.copyOf(states, length);
            newSortedBases = Arrays.copyOf(sortedBases, length);
            newSortedChunks = Arrays.copyOf(sortedChunks, length);
            newTags = tags == null ? null : Arrays.copyOf(tags, length);
        }
        long address = chunk.address();
        long bytes = chunk.byteSize();
        newSegments[index] = chunk;
        newBases[index] = address;
        newLimits[index] = bytes;
        if (newStates != null) {
            newStates[index] = new byte[(int) (bytes / stride) + 2 * STATE_PADDING];
        }
        if (newTags != null) {
            newTags[index] = new long[(int) blocks];
        }
        int at = index;
        if (at > 0 && newSortedBases[at - 1] > address) {
            if (newSortedBases == sortedBases) {
                newSortedBases = sortedBases.clone();
                newSortedChunks = sortedChunks.clone();
            }
            while (at > 0 && newSortedBases[at - 1] > address) {
                newSortedBases[at] = newSortedBases[at - 1];
                newSortedChunks[at] = newSortedChunks[at - 1];
                at--;
            }
        }
        newSortedBases[at] = address;
        newSortedChunks[at] = index;
        return new ChunkTable(newSegments, newBases, newLimits, newStates, newSortedBases,
                newSortedChunks, newTags, index + 1, totalBlocks + blocks);
    }

    /**
     * Returns this table with a zeroed tag array for every chunk, or this table when it has them already.
     *
     * @param stride the pool's stride, to count each chunk's blocks
     */
    ChunkTable withTags(long stride) {
        if (tags != null) {
            return this;
        }
        long[][] newTags = new long[segments.length][];
        for (int chunk = 0; chunk < count; chunk++) {
            newTags[chunk] = new long[(int) (limits[chunk] / stride)];
        }
        return new ChunkTable(segments, bases, limits, states, sortedBases, sortedChunks, newTags, count,
                totalBlocks);
    }

    /** Returns the index of the chunk whose memory holds {@code address}, or -1. */
    int chunkContaining(long address) {
        if (address - bases[0] >= 0 && address - bases[0] < limits[0]) {
            return 0;
        }
        int low = 0;
        int high = count - 1;
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

    /** Describes the address ranges of the first chunks, for error messages. */
    String ranges() {
        StringBuilder ranges = new StringBuilder();
        int shown = Math.min(count, 8);
        for (int chunk = 0; chunk < shown; chunk++) {
            ranges.append(chunk == 0 ? "" : ", ").append("[0x").append(Long.toHexString(bases[chunk]))
                    .append(", 0x").append(Long.toHexString(bases[chunk] + limits[chunk])).append(')');
        }
        if (shown < count) {
            ranges.append(" and ").append(count - shown).append(" more");
        }
        return ranges.toString();
    }
}
