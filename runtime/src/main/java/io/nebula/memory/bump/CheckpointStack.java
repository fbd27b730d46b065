package io.nebula.memory.bump;

import io.nebula.memory.LeakReport;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live frames of one {@link BumpAllocator}, outermost first: its checkpoints and its open scopes, and what
 * checked mode keeps per level.
 *
 * <p>A frame is known by its depth and the <em>epoch</em> it was pushed in. The epoch counts the discards: it
 * moves on whenever frames are discarded other than by the close of the innermost scope (a restore, the close of a
 * scope that is not the innermost, a reset), and each depth records the epoch of the last discard that reached it
 * ({@code discardedAt}). A frame is live while its depth is below {@link #depth()} and it was pushed no earlier
 * than the last discard of its depth. So pushing a frame writes no identity anywhere, and a frame pushed in the
 * current epoch at the innermost depth is live without reading any array: the fast path of a scope's close
 * ({@link #popInnermost}) compares two numbers and stores one. A discard costs a store per frame discarded.
 *
 * <p>Invariants: entries {@code 0 .. depth - 1} are live; {@code usedAt[d]} is the used bytes the frame at depth
 * {@code d} saved (non-decreasing with {@code d}), read by leak reports; {@code checkpointAt[d]} tells a plain
 * checkpoint from a scope (set only by {@link #push} of a checkpoint, cleared when the frame is discarded, so a
 * scope that only stored its used bytes reads {@code false}); {@code discardedAt[d] <= epoch}. A frame of an older
 * epoch at the innermost depth is still checked against {@code discardedAt}. In checked mode, {@code levels[d]} for
 * {@code d <= depth} is the open JDK arena that serves allocations made while {@code d} frames are live;
 * discarding frames closes the levels above them, and every scope is pushed by {@link #push} (which records where
 * it was opened). Scope objects are never stored, so that a scope that does not escape costs no allocation.
 *
 * <p>Not thread-safe: a confined allocator calls it from its owner thread, a thread-safe one under its lock.
 */
final class CheckpointStack {

    private static final int INITIAL_DEPTH = 8;

    private final Lifecycle life;
    private final boolean checked;
    private long[] usedAt = new long[INITIAL_DEPTH];
    private long[] discardedAt = new long[INITIAL_DEPTH];
    private boolean[] checkpointAt = new boolean[INITIAL_DEPTH];
    /** Checked mode: where each open scope was opened, for leak reports; {@code null} otherwise. */
    private StackTraceElement[][] sites;
    /** Checked mode: the arena of each level; {@code null} otherwise. */
    private Arena[] levels;
    private int depth;
    private long epoch = 1;

    CheckpointStack(Lifecycle life, boolean checked) {
        this.life = life;
        this.checked = checked;
        if (checked) {
            levels = new Arena[INITIAL_DEPTH + 1];
            levels[0] = life.newArena();
            sites = new StackTraceElement[INITIAL_DEPTH][];
        }
    }

    /**
     * Pushes a checkpoint, or the frame of a scope, one level deeper: in checked mode with the level's arena and,
     * for a scope, where it was opened.
     *
     * @param owner      the allocator, recorded in the checkpoint
     * @param chunkStart the allocator's used bytes at the start of its current chunk (0 for a fixed arena)
     * @param top        the bytes used in the current chunk
     * @param scope      whether the frame belongs to a scope (a leak if still open at close)
     * @return the frame, as a checkpoint
     */
    BumpCheckpoint push(BumpAllocator owner, long chunkStart, long top, boolean scope) {
        int d = depth;
        if (d == usedAt.length) {
            deepen();
        }
        if (checked) {
            levels[d + 1] = life.newArena();
            sites[d] = scope ? CheckedMode.captureSite() : null;
        }
        usedAt[d] = chunkStart + top;
        checkpointAt[d] = !scope;
        depth = d + 1;
        return new BumpCheckpoint(owner, epoch, d, chunkStart, top);
    }

    /**
     * The fast path of opening a scope: pushes its frame, one store of the used bytes and one of the depth, unless
     * checked mode must open a level or the arrays must grow.
     *
     * @param usedBytes the allocator's used bytes
     * @return the frame's depth, or {@code -1} when nothing was pushed and the caller must {@link #push}
     */
    int pushScope(long usedBytes) {
        int d = depth;
        long[] used = usedAt;
        if (checked || d >= used.length) {
            return -1;
        }
        used[d] = usedBytes;
        depth = d + 1;
        return d;
    }

    /** Returns the current epoch: what a frame pushed now records. */
    long epoch() {
        return epoch;
    }

    private void deepen() {
        int length = usedAt.length * 2;
        usedAt = Arrays.copyOf(usedAt, length);
        discardedAt = Arrays.copyOf(discardedAt, length);
        checkpointAt = Arrays.copyOf(checkpointAt, length);
        if (checked) {
            sites = Arrays.copyOf(sites, length);
            levels = Arrays.copyOf(levels, length + 1);
        }
    }

    /**
     * Tells whether a checkpoint of this stack's allocator is still live.
     *
     * @param checkpoint a checkpoint whose owner is this stack's allocator
     * @return {@code false} when a restore, a scope's close or a reset discarded it
     */
    boolean isLive(BumpCheckpoint checkpoint) {
        int d = checkpoint.depth;
        return d < depth && checkpoint.epoch >= discardedAt[d];
    }

    /**
     * Discards the frame at {@code frameDepth}, pushed in {@code frameEpoch}, if it is the innermost live frame and
     * was pushed in the current epoch: the fast path of a scope's close, two comparisons and one store. Only for
     * an arena without checked mode, which has no level arenas to close. A frame of an older epoch may be live too;
     * the caller then takes the slow path, which checks it.
     *
     * @return {@code true} when it was discarded; {@code false}, and nothing changed, otherwise
     */
    boolean popInnermost(int frameDepth, long frameEpoch) {
        if (frameDepth != depth - 1 || frameEpoch != epoch) {
            return false;
        }
        depth = frameDepth;
        return true;
    }

    /** Returns the number of live frames. */
    int depth() {
        return depth;
    }

    /**
     * Discards the frame at {@code index} and every one after it, and moves to a new epoch: a frame discarded here
     * is never live again, even once its depth is reused. In checked mode, closes the arenas of the allocations
     * made after them. Costs a store per frame discarded.
     *
     * @param index the depth of the outermost checkpoint to discard, at most {@link #depth()}
     */
    void discardFrom(int index) {
        int live = depth;
        if (index < live) {
            long discard = ++epoch;
            for (int d = index; d < live; d++) {
                discardedAt[d] = discard;
                checkpointAt[d] = false;
            }
        }
        if (checked) {
            for (int level = index + 1; level <= depth; level++) {
                levels[level].close();
                levels[level] = null;
            }
            Arrays.fill(sites, index, depth, null);
        }
        depth = index;
    }

    /** Checked mode: closes the arena of level 0 and opens a fresh one (a reset). Does nothing otherwise. */
    void renewBaseLevel() {
        if (checked) {
            levels[0].close();
            levels[0] = life.newArena();
        }
    }

    /**
     * Checked mode: allocates a segment with the lifetime of the current level.
     *
     * @param byteSize      the size
     * @param byteAlignment the alignment
     * @return a segment that dies when the current level is discarded
     * @throws OutOfMemoryError when the system refuses the memory; nothing changed then
     */
    MemorySegment allocateInLevel(long byteSize, long byteAlignment) {
        return NativeMemory.allocate(levels[depth], byteSize, byteAlignment);
    }

    /**
     * Checked mode: tells whether a segment came from one of the open levels. May be called without the lock of a
     * thread-safe allocator: it reads a consistent prefix of the levels.
     *
     * @param segment any segment
     * @return {@code true} when the segment belongs to an open level
     */
    boolean ownsInLevels(MemorySegment segment) {
        if (!checked) {
            return false;
        }
        Arena[] current = levels;
        for (int level = 0; level <= depth && level < current.length; level++) {
            Arena arena = current[level];
            if (arena != null && segment.scope().equals(arena.scope())) {
                return true;
            }
        }
        return false;
    }

    /** Checked mode: closes every level (the allocator closes). Discards every frame. */
    void closeAll() {
        discardFrom(0);
        if (checked) {
            levels[0].close();
        }
    }

    /**
     * Describes the scopes still open: their count, the bytes allocated since the outermost of them opened, and in
     * checked mode where each was opened.
     *
     * @param allocator the allocator's description
     * @param usedBytes the allocator's used bytes now
     * @return the report, with zero open scopes when nothing leaked
     */
    LeakReport leakReport(String allocator, long usedBytes) {
        long openScopes = 0;
        long outermost = -1;
        List<StackTraceElement[]> where = new ArrayList<>();
        for (int d = 0; d < depth; d++) {
            if (checkpointAt[d]) {
                continue;
            }
            openScopes++;
            if (outermost < 0) {
                outermost = usedAt[d];
            }
            if (checked && where.size() < LeakReport.MAX_SITES) {
                where.add(sites[d]);
            }
        }
        long bytes = openScopes == 0 ? 0 : usedBytes - outermost;
        return new LeakReport(allocator, 0, openScopes, bytes, where);
    }
}
