package io.nebula.memory.bump;

import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.internal.StatisticsRecorder;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The chunks of a growable {@link BumpAllocator}, each reserved from a JDK arena of its own so that it can be freed
 * on its own.
 *
 * <p>Invariants:
 * <ul>
 *   <li>chunks {@code 0 .. current} are in use, in the order the arena bumped through them; chunks
 *       {@code current + 1 .. count - 1} are spares: reserved, nothing live in them, in no particular order;</li>
 *   <li>{@code starts[0] == 0} and {@code starts[i + 1] == starts[i] + size(i)} for the chunks in use:
 *       {@code starts[i]} is the arena's used bytes at the start of chunk {@code i}, the chunks before it counted
 *       in full, their unused tails included;</li>
 *   <li>{@code ends[i]}, for {@code i < current}, is the bytes used in chunk {@code i} when the arena moved past
 *       it (what a release must zero there);</li>
 *   <li>{@code reserved} is the sum of the sizes of all chunks and never exceeds {@code limitBytes};</li>
 *   <li>a call that fails leaves the chunks in use as they were.</li>
 * </ul>
 *
 * <p>Not thread-safe: a confined arena calls it from its owner thread, a thread-safe one under its lock.
 */
final class ChunkChain {

    private final Lifecycle life;
    private final Object owner;
    private final StatisticsRecorder stats;
    private final long maxChunkBytes;
    private final long limitBytes;
    private final boolean keepAllChunks;
    private MemorySegment[] segments = new MemorySegment[4];
    private Arena[] arenas = new Arena[4];
    private long[] starts = new long[4];
    private long[] ends = new long[4];
    private int count;
    private int current;
    private long reserved;
    /** The size planned for the newest ordinary chunk: the next one doubles it. */
    private long lastPlannedBytes;

    /**
     * Reserves the first chunk.
     *
     * @param life         the allocator's lifecycle, whose {@code newArena()} gives each chunk its arena
     * @param owner        the allocator, named by growth events
     * @param stats        the allocator's statistics, or {@code null}
     * @param initialBytes the size of the first chunk, at most {@code growth.limitBytes()}
     * @param growth       how the arena grows
     */
    ChunkChain(Lifecycle life, Object owner, StatisticsRecorder stats, long initialBytes, BumpConfig.Growth growth) {
        this.life = life;
        this.owner = owner;
        this.stats = stats;
        this.maxChunkBytes = growth.maxChunkBytes();
        this.limitBytes = growth.limitBytes();
        this.keepAllChunks = growth.keepAllChunks();
        Arena arena = life.newArena();
        segments[0] = NativeMemory.reserve(arena, initialBytes, BumpAllocator.BLOCK_ALIGNMENT, "BumpAllocator");
        arenas[0] = arena;
        count = 1;
        reserved = initialBytes;
        lastPlannedBytes = initialBytes;
    }

    int current() {
        return current;
    }

    int count() {
        return count;
    }

    MemorySegment segment(int index) {
        return segments[index];
    }

    /** The arena's used bytes at the start of chunk {@code index}, which must be in use. */
    long start(int index) {
        return starts[index];
    }

    long reserved() {
        return reserved;
    }

    long limitBytes() {
        return limitBytes;
    }

    long maxChunkBytes() {
        return maxChunkBytes;
    }

    /** The bytes held in spare chunks. */
    long spareBytes() {
        long bytes = 0;
        for (int i = current + 1; i < count; i++) {
            bytes += segments[i].byteSize();
        }
        return bytes;
    }

    /** The size of every chunk, in use first, for messages: {@code [4096, 8192 (current), 16384 (spare)]}. */
    String describeChunks() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(segments[i].byteSize())
                    .append(i == current ? " (current)" : i > current ? " (spare)" : "");
        }
        return sb.append(']').toString();
    }

    /**
     * Plans the chunk a request that does not fit in the current chunk would get if the arena reserved one: a
     * doubling of the newest ordinary chunk up to {@code maxChunkBytes}, or a chunk of the request's own size when it
     * is larger than that.
     *
     * @param byteSize the request's size
     * @return the size of the chunk to reserve, before any cut to the limit
     */
    long plannedChunkBytes(long byteSize) {
        if (byteSize > maxChunkBytes) {
            return Math.max(Requests.alignUp(byteSize, BumpAllocator.BLOCK_ALIGNMENT), byteSize);
        }
        long bytes = doubled(lastPlannedBytes);
        while (bytes < byteSize) {
            bytes = doubled(bytes);
        }
        return bytes;
    }

    private long doubled(long bytes) {
        return bytes >= maxChunkBytes / 2 ? maxChunkBytes : Math.max(2 * bytes, 1);
    }

    /**
     * The bytes a new chunk may take under the limit once every spare is freed.
     *
     * @return {@code limitBytes} minus the bytes of the chunks in use
     */
    long room() {
        return limitBytes - (reserved - spareBytes());
    }

    /**
     * Moves the arena past the current chunk, to a spare chunk that holds the request, or else to a newly reserved
     * chunk. Freed spares make room under the limit when a new chunk needs it.
     *
     * @param byteSize      the request's size, not negative
     * @param byteAlignment the request's alignment, a power of two
     * @param usedInCurrent the bytes used in the current chunk, which the arena leaves
     * @return the index of the new current chunk, or {@code -1} when the limit leaves no room for the request, or
     *     no room at all (a chunk has at least one byte, so that chunk starts increase strictly; nothing changed)
     * @throws io.nebula.memory.AllocationException {@code OUT_OF_MEMORY} when the system refuses the native memory
     *     (nothing in use changed; spares freed to make room under the limit stay freed)
     */
    int advance(long byteSize, long byteAlignment, long usedInCurrent) {
        int next = current + 1;
        for (int i = next; i < count; i++) {
            if (holds(segments[i], byteSize, byteAlignment)) {
                swap(i, next);
                moveTo(next, usedInCurrent);
                return next;
            }
        }
        long planned = plannedChunkBytes(byteSize);
        long room = room();
        if (byteSize > room || room < 1) {
            return -1;
        }
        long bytes = Math.min(planned, room);
        while (reserved + bytes > limitBytes) {
            free(count - 1);
        }
        Arena arena = life.newArena();
        MemorySegment chunk = NativeMemory.reserve(arena, bytes,
                Math.max(BumpAllocator.BLOCK_ALIGNMENT, byteAlignment), "BumpAllocator");
        if (byteSize <= maxChunkBytes) {
            lastPlannedBytes = planned;
        }
        if (count == segments.length) {
            widen();
        }
        segments[count] = chunk;
        arenas[count] = arena;
        count++;
        reserved += bytes;
        swap(count - 1, next);
        moveTo(next, usedInCurrent);
        if (stats != null) {
            stats.grew(starts[next] + byteSize);
        }
        Events.growth(owner, bytes, reserved);
        return next;
    }

    private static boolean holds(MemorySegment chunk, long byteSize, long byteAlignment) {
        long padding = Requests.alignUp(chunk.address(), byteAlignment) - chunk.address();
        return padding <= chunk.byteSize() && byteSize <= chunk.byteSize() - padding;
    }

    private void moveTo(int next, long usedInCurrent) {
        ends[current] = usedInCurrent;
        starts[next] = starts[current] + segments[current].byteSize();
        current = next;
    }

    private void swap(int i, int j) {
        MemorySegment segment = segments[i];
        segments[i] = segments[j];
        segments[j] = segment;
        Arena arena = arenas[i];
        arenas[i] = arenas[j];
        arenas[j] = arena;
    }

    private void widen() {
        int length = segments.length * 2;
        segments = Arrays.copyOf(segments, length);
        arenas = Arrays.copyOf(arenas, length);
        starts = Arrays.copyOf(starts, length);
        ends = Arrays.copyOf(ends, length);
    }

    /** Frees the chunk at {@code index}, a spare, and closes the gap. */
    private void free(int index) {
        reserved -= segments[index].byteSize();
        arenas[index].close();
        count--;
        segments[index] = segments[count];
        arenas[index] = arenas[count];
        segments[count] = null;
        arenas[count] = null;
    }

    /**
     * Records how far the chunk at {@code index} was used when the arena left it, where the caller learns it only
     * after {@link #advance} (a thread-safe arena, which seals the chunk it leaves).
     */
    void setEnd(int index, long used) {
        ends[index] = used;
    }

    /** How far the chunk at {@code index}, in use and before the current one, was used when the arena left it. */
    long end(int index) {
        return ends[index];
    }

    /**
     * Returns the chunk in use that holds the position {@code usedBytes}: the last chunk in use that starts at or
     * before it.
     *
     * @param usedBytes a position between 0 and the arena's used bytes
     * @return the chunk's index
     */
    int find(long usedBytes) {
        int i = current;
        while (starts[i] > usedBytes) {
            i--;
        }
        return i;
    }

    /**
     * Makes chunk {@code index} the current one; the chunks after it become spares.
     *
     * @param index a chunk in use
     */
    void rewind(int index) {
        current = index;
    }

    /**
     * Writes zeros over everything used after position {@code fromTop} of chunk {@code fromIndex}, up to
     * {@code currentTop} in the current chunk: the bytes a release from there frees.
     */
    void zero(int fromIndex, long fromTop, long currentTop) {
        if (fromIndex == current) {
            zeroRange(segments[current], fromTop, currentTop);
            return;
        }
        zeroRange(segments[fromIndex], fromTop, ends[fromIndex]);
        for (int i = fromIndex + 1; i < current; i++) {
            zeroRange(segments[i], 0, ends[i]);
        }
        zeroRange(segments[current], 0, currentTop);
    }

    private static void zeroRange(MemorySegment chunk, long from, long to) {
        if (to > from) {
            MemoryKernels.fill(chunk, from, to - from, (byte) 0);
        }
    }

    /**
     * Releases every chunk: the largest becomes chunk 0 and the current one; the others are freed, or kept as
     * spares when the growth says {@code keepAllChunks}.
     */
    void reset() {
        int largest = 0;
        for (int i = 1; i < count; i++) {
            if (segments[i].byteSize() > segments[largest].byteSize()) {
                largest = i;
            }
        }
        swap(0, largest);
        current = 0;
        starts[0] = 0;
        if (!keepAllChunks) {
            while (count > 1) {
                free(count - 1);
            }
        }
    }

    /**
     * Tells whether a segment lies inside one of the chunks, in use or spare.
     *
     * @param segment a native segment
     * @return {@code true} when the whole segment lies in one chunk
     */
    boolean owns(MemorySegment segment) {
        for (int i = 0; i < count; i++) {
            long offset = segment.address() - segments[i].address();
            long size = segments[i].byteSize();
            if (offset >= 0 && offset <= size && segment.byteSize() <= size - offset) {
                return true;
            }
        }
        return false;
    }

    /** Frees every chunk (the allocator closes). */
    void closeAll() {
        for (int i = 0; i < count; i++) {
            arenas[i].close();
        }
    }
}
