package io.nebula.memory.stack;

import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bookkeeping of one stack's block: its top, and one entry per live allocation, bottom first, in parallel arrays
 * on the Java heap; also what a pop does to the bytes ({@code zeroOnRelease}) and, in checked mode, each entry's own
 * arena. Knows nothing of threads, statistics or errors: a refused push returns a sentinel and the allocator
 * decides what to throw. The allocator calls it only under its guard (from the owner thread of a confined stack,
 * under the lock of a thread-safe one).
 *
 * <p>It is {@link StackAllocator}'s superclass rather than an object the allocator holds, as
 * {@code AbstractStringBuilder} is {@code StringBuilder}'s: the top, the depth and the arrays are then fields of the
 * allocator itself, and the hot paths read them without a dependent load through another object. Measured in
 * alternating JMH runs against the same code holding a {@code StackEntries} field: push and pop of 64 bytes on the
 * offset path took 13% longer with the field (median of 8 paired runs, slower in each), the segment path no
 * different. Package-private and sealed, it is no part of the API and has no other subclass.
 *
 * <p>Per entry: where it starts and where the top was before it (so popping it restores the top, padding included).
 * In checked mode also the entry's own arena, the segment handed out and where it was allocated.
 *
 * <p>Checkpoints and scopes are <em>frames</em>, as in the arena's {@code CheckpointStack}: a frame is a stack depth
 * at which checkpoints or scopes were taken, and it is live while the stack has not been popped below that depth
 * since, that is while every allocation that was live when it was taken still is. The live frames are kept
 * outermost first, at strictly increasing depths, each at most the current depth; frame 0 is the empty stack's, at
 * depth 0, and is never discarded. A checkpoint or scope taken at the depth of the innermost frame shares it; one
 * taken deeper pushes a frame. A pop, a restore, a scope's close or a reset that leaves the stack below the
 * innermost frame's depth ({@link #innermostDepth}, one comparison on every pop) discards the frames above the new
 * depth and moves on the <em>epoch</em>, recording it per depth discarded ({@code discardedAt}). A checkpoint or
 * scope remembers its depth and the epoch it was taken in, and is valid while no discard has reached its depth
 * since: so a push stores nothing for frames, and a frame discarded and pushed again at the same depth (the stack
 * popped below it and pushed back to the same depth and top) is told apart by the epoch.
 *
 * <p>The entries live in a part of the block, {@code [floor, limit)}: the whole block for a confined stack, the
 * region(s) a thread holds for one thread's stack of a thread-safe stack ({@link ThreadStack}), moved only while the
 * stack is empty ({@link #moveTo(long, long)}) or grown upwards ({@link #raiseLimit(long)}). Offsets are always
 * offsets in the whole block.
 *
 * <p>Invariants: {@code 0 <= depth <= starts.length}; {@code 0 <= floor <= top <= limit <= capacity}; entry 0 has
 * previous top {@code floor}; for {@code 0 < i < depth},
 * {@code previousTops[i]} is the end of entry {@code i - 1} and {@code previousTops[i] <= starts[i]}; the end of
 * the top entry is {@link #top()}; an empty stack has top {@code floor}; checked records above the depth are
 * {@code null} (and, once the stack is closed, all of them). Frames: {@code 1 <= frames}; {@code frameDepths[0] == 0};
 * {@code frameDepths[f] < frameDepths[f + 1]} for the live frames; {@code innermostDepth == frameDepths[frames - 1]
 * <= depth}; {@code discardedAt[d] <= epoch}, and {@code discardedAt} has an entry for every depth a frame was ever
 * pushed at.
 */
abstract sealed class StackEntries permits StackAllocator {

    /** The largest array length every JVM supports: the most live allocations a stack can track. */
    static final int MAX_DEPTH = Integer.MAX_VALUE - 8;

    private static final int INITIAL_LENGTH = 16;
    private static final int INITIAL_FRAMES = 8;

    private final MemorySegment memory;
    private final long base;
    private final long capacity;
    private final boolean zeroOnRelease;
    private final boolean checked;

    /** Where the part of the block this stack pushes into starts: the top of the empty stack. */
    private long floor;
    /** Where the part of the block this stack pushes into ends. */
    private long limit;
    /** The offset where the next allocation's padding starts; {@code top - floor} bytes are in use. */
    private long top;
    private int depth;
    private long[] starts = new long[INITIAL_LENGTH];
    private long[] previousTops = new long[INITIAL_LENGTH];
    /** The stack depth of each live frame, outermost first; frame 0, at depth 0, is never discarded. */
    private int[] frameDepths = new int[INITIAL_FRAMES];
    /** Per depth, the epoch of the last discard of a frame at that depth; 0 if none has been discarded there. */
    private long[] discardedAt = new long[INITIAL_FRAMES];
    /** The number of live frames, at least 1. */
    private int frames = 1;
    /** Moves on with every discard of frames. */
    private long epoch = 1;
    /** The depth of the innermost live frame: a pop that leaves the stack below it discards frames. */
    private int innermostDepth;
    /** Checked mode only, else {@code null}: per entry, what checked mode keeps. */
    private CheckedEntry[] checkedEntries;

    /**
     * What checked mode keeps per live allocation.
     *
     * @param arena   the arena that owns {@code segment}, closed when the allocation is popped; {@code null} for an
     *                allocation made on the offset path
     * @param segment the segment handed out, or {@code null} for an offset
     * @param site    where the allocation was made
     */
    private record CheckedEntry(Arena arena, MemorySegment segment, StackTraceElement[] site) {
    }

    /**
     * @param memory        the stack's block
     * @param zeroOnRelease whether to write zeros over the bytes a pop releases
     * @param checked       whether to keep checked mode's records
     */
    StackEntries(MemorySegment memory, boolean zeroOnRelease, boolean checked) {
        this.memory = memory;
        this.base = memory.address();
        this.capacity = memory.byteSize();
        this.limit = capacity;
        this.zeroOnRelease = zeroOnRelease;
        this.checked = checked;
        this.checkedEntries = checked ? new CheckedEntry[INITIAL_LENGTH] : null;
    }

    /** The backing block. */
    final MemorySegment block() {
        return memory;
    }

    /** Whether checked mode's records are kept. */
    final boolean checkedMode() {
        return checked;
    }

    /** The offset where the next allocation's padding starts: the end of the top entry, or the floor. */
    final long top() {
        return top;
    }

    /** Where the part of the block this stack pushes into starts. */
    final long floor() {
        return floor;
    }

    /** Where the part of the block this stack pushes into ends. */
    final long limit() {
        return limit;
    }

    /** Bytes in use, padding included: {@code top - floor}. */
    final long usedInPart() {
        return top - floor;
    }

    /** Moves an empty stack to {@code [newFloor, newLimit)} of the block. */
    final void moveTo(long newFloor, long newLimit) {
        assert depth == 0 && 0 <= newFloor && newFloor <= newLimit && newLimit <= capacity;
        floor = newFloor;
        top = newFloor;
        limit = newLimit;
    }

    /** Extends the part of the block this stack pushes into up to {@code newLimit}. */
    final void raiseLimit(long newLimit) {
        assert limit <= newLimit && newLimit <= capacity;
        limit = newLimit;
    }

    /** The number of live allocations. */
    final int liveDepth() {
        return depth;
    }

    /**
     * Pushes an entry for {@code byteSize} bytes aligned (by address) to {@code byteAlignment} and moves the top past
     * it; writes nothing into the memory.
     *
     * @return the offset of the new allocation, or -1 when the request is invalid, does not fit between the top and
     *     the limit, or
     *     the stack already tracks {@link #MAX_DEPTH} allocations; nothing changed then
     */
    final long pushEntry(long byteSize, long byteAlignment) {
        long current = top;
        long start = Requests.alignUp(base + current, byteAlignment) - base;
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > limit - start) {
            return -1;
        }
        int n = depth;
        if (n == starts.length && !grow()) {
            return -1;
        }
        starts[n] = start;
        previousTops[n] = current;
        depth = n + 1;
        top = start + byteSize;
        return start;
    }

    private boolean grow() {
        int length = starts.length;
        if (length >= MAX_DEPTH) {
            return false;
        }
        int newLength = (int) Math.min(2L * length, MAX_DEPTH);
        long[] newStarts = Arrays.copyOf(starts, newLength);
        long[] newPreviousTops = Arrays.copyOf(previousTops, newLength);
        CheckedEntry[] newCheckedEntries = checked ? Arrays.copyOf(checkedEntries, newLength) : null;
        starts = newStarts;
        previousTops = newPreviousTops;
        checkedEntries = newCheckedEntries;
        return true;
    }

    /** The bytes the top entry takes: its size and the alignment padding before it. */
    final long takenByTop() {
        return top - previousTops[depth - 1];
    }

    /** Checked mode: records where the top entry, pushed for the offset path, was allocated. */
    final void recordSite() {
        checkedEntries[depth - 1] = new CheckedEntry(null, null, CheckedMode.captureSite());
    }

    /**
     * Checked mode: pushes an entry as {@link #pushEntry(long, long)} does, and allocates the segment handed out from
     * an arena of its own, closed when the entry is popped.
     *
     * @param life the stack's lifecycle, which creates arenas with the stack's threading
     * @return the segment, or {@code null} when the push was refused; nothing changed then
     */
    final MemorySegment pushCheckedEntry(long byteSize, long byteAlignment, Lifecycle life) {
        if (pushEntry(byteSize, byteAlignment) < 0) {
            return null;
        }
        Arena own = life.newArena();
        MemorySegment segment;
        try {
            segment = NativeMemory.allocate(own, byteSize, byteAlignment);
        } catch (RuntimeException | OutOfMemoryError e) {
            own.close();
            top = previousTops[depth - 1];
            depth--;
            throw e;
        }
        checkedEntries[depth - 1] = new CheckedEntry(own, segment, CheckedMode.captureSite());
        return segment;
    }

    /**
     * Pops the top entry (there must be one), zeroing the bytes it releases when configured and closing its
     * checked-mode arena.
     *
     * @return the bytes the popped allocation took, the alignment padding before it included
     */
    final long popEntry() {
        int n = depth - 1;
        long end = top;
        long previous = previousTops[n];
        if (zeroOnRelease && end > previous) {
            MemoryKernels.fill(memory, previous, end - previous, (byte) 0);
        }
        if (checked) {
            closeChecked(n, n + 1);
        }
        top = previous;
        depth = n;
        if (n < innermostDepth) {
            discardFramesAbove(n);
        }
        return end - previous;
    }

    /**
     * Pops every entry at index {@code newDepth} and above, as {@link #popEntry()} does.
     *
     * @param newDepth the depth to pop to, at most {@link #liveDepth()}
     * @param newTop   the end of entry {@code newDepth - 1}: the top saved by a valid checkpoint or scope at
     *                 {@code newDepth}; ignored when {@code newDepth} is 0 (the top goes back to the floor)
     * @return the bytes released, padding included
     */
    final long truncate(int newDepth, long savedTop) {
        long newTop = newDepth == 0 ? floor : savedTop;
        long end = top;
        if (zeroOnRelease && end > newTop) {
            MemoryKernels.fill(memory, newTop, end - newTop, (byte) 0);
        }
        if (checked) {
            closeChecked(newDepth, depth);
        }
        top = newTop;
        depth = newDepth;
        if (newDepth < innermostDepth) {
            discardFramesAbove(newDepth);
        }
        return end - newTop;
    }

    /**
     * Makes sure a frame stands at the current depth, for a checkpoint or scope taken now: the innermost frame
     * when it is at this depth (always so on the empty stack), else a new one pushed. The checkpoint or scope then
     * remembers the depth and {@link #epoch()}, read after this call.
     */
    final void frameHere() {
        int d = depth;
        if (d != 0 && d != innermostDepth) {
            pushFrame(d);
        }
    }

    private void pushFrame(int d) {
        int f = frames;
        if (f == frameDepths.length) {
            frameDepths = Arrays.copyOf(frameDepths, (int) Math.min(2L * f, MAX_DEPTH));
        }
        if (d >= discardedAt.length) {
            discardedAt = Arrays.copyOf(discardedAt, (int) Math.min(Math.max(2L * discardedAt.length, d + 1L),
                    MAX_DEPTH));
        }
        frameDepths[f] = d;
        frames = f + 1;
        innermostDepth = d;
    }

    /** The number of live frames, the empty stack's included: at most one per depth from 0 to the depth. */
    final int liveFrames() {
        return frames;
    }

    /** The current epoch: what a checkpoint or scope taken now remembers with its depth. */
    final long epoch() {
        return epoch;
    }

    /**
     * Tells whether a checkpoint or scope taken at depth {@code savedDepth} in epoch {@code takenIn} is still valid:
     * every allocation that was live when it was taken is still live. Always at depth 0 (the empty stack's frame is
     * never discarded); one comparison when no frame was discarded since (every discard moves the epoch on); else
     * whether a discard has reached its depth since. A checkpoint or scope taken at {@code savedDepth} had a frame
     * there, so {@code discardedAt} has an entry for it; if the stack is now below that depth, the frame was
     * discarded, in an epoch after {@code takenIn}.
     */
    final boolean isLive(int savedDepth, long takenIn) {
        return savedDepth == 0 || takenIn == epoch || takenIn >= discardedAt[savedDepth];
    }

    /**
     * Discards the frames deeper than {@code newDepth}, which is below the innermost frame's depth, and moves to a
     * new epoch: a checkpoint or scope on a discarded frame is never valid again, even once a frame stands at its
     * depth again. Frame 0, at depth 0, stays. Costs a store per frame discarded.
     */
    private void discardFramesAbove(int newDepth) {
        long discard = ++epoch;
        int f = frames - 1;
        do {
            discardedAt[frameDepths[f]] = discard;
            f--;
        } while (frameDepths[f] > newDepth);
        frames = f + 1;
        innermostDepth = frameDepths[f];
    }

    /** Where live entry {@code i} starts. */
    final long start(int i) {
        return starts[i];
    }

    /** The size of live entry {@code i}: up to the next entry's previous top, or to the top. */
    final long sizeOf(int i) {
        return (i == depth - 1 ? top : previousTops[i + 1]) - starts[i];
    }

    /** Tells whether {@code segment} is a native segment that lies wholly inside the block. */
    final boolean inBlock(MemorySegment segment) {
        if (!segment.isNative()) {
            return false;
        }
        long offset = segment.address() - base;
        return offset >= 0 && offset <= capacity && segment.byteSize() <= capacity - offset;
    }

    /** Tells whether the top entry starts at {@code offset}. */
    final boolean isTopOffset(long offset) {
        int n = depth - 1;
        return n >= 0 && starts[n] == offset;
    }

    /** Tells whether {@code segment} is the top entry exactly as it was handed out. */
    final boolean isTop(MemorySegment segment) {
        int n = depth - 1;
        if (checked) {
            return n >= 0 && isEntry(n, segment);
        }
        long offset = segment.address() - base;
        return n >= 0 && offset == starts[n] && segment.byteSize() == top - offset && segment.isNative();
    }

    /** Tells whether {@code segment} is live entry {@code i} exactly as it was handed out. */
    final boolean isEntry(int i, MemorySegment segment) {
        CheckedEntry entry = checked ? checkedEntries[i] : null;
        if (entry != null && entry.segment() != null) {
            MemorySegment handedOut = entry.segment();
            return segment.scope().equals(handedOut.scope()) && segment.address() == handedOut.address()
                    && segment.byteSize() == handedOut.byteSize();
        }
        return segment.isNative() && segment.address() - base == starts[i] && segment.byteSize() == sizeOf(i);
    }

    /** The index of the highest live entry below the top that is {@code segment}, or -1. */
    final int indexBelowTop(MemorySegment segment) {
        for (int i = depth - 2; i >= 0; i--) {
            if (isEntry(i, segment)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the highest live entry below the top that starts at {@code offset}, or -1. */
    final int indexBelowTop(long offset) {
        for (int i = depth - 2; i >= 0; i--) {
            if (starts[i] == offset) {
                return i;
            }
        }
        return -1;
    }

    /** Checked mode: the index of the live entry whose arena {@code segment} belongs to, or -1. */
    final int liveEntryOf(MemorySegment segment) {
        if (!checked) {
            return -1;
        }
        for (int i = depth - 1; i >= 0; i--) {
            CheckedEntry entry = checkedEntries[i];
            if (entry != null && entry.arena() != null && segment.scope().equals(entry.arena().scope())) {
                return i;
            }
        }
        return -1;
    }

    /** Checked mode: where the live allocations were made, bottom first, at most {@code max}; empty otherwise. */
    final List<StackTraceElement[]> sites(int max) {
        List<StackTraceElement[]> sites = new ArrayList<>();
        if (checked) {
            for (int i = 0; i < depth && sites.size() < max; i++) {
                CheckedEntry entry = checkedEntries[i];
                if (entry != null) {
                    sites.add(entry.site());
                }
            }
        }
        return sites;
    }

    /**
     * Closes every checked-mode arena of a stack being closed, without popping: the depth and top keep reporting
     * what was live at the close.
     */
    final void closeCheckedArenas() {
        if (checked) {
            closeChecked(0, depth);
        }
    }

    /** Closes the arenas of entries {@code from} (inclusive) to {@code to} (exclusive), top first. */
    private void closeChecked(int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            CheckedEntry entry = checkedEntries[i];
            if (entry != null && entry.arena() != null) {
                entry.arena().close();
            }
            checkedEntries[i] = null;
        }
    }
}
