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
 * The live checkpoints of one {@link BumpAllocator}, outermost first, and what checked mode keeps per level.
 *
 * <p>Invariants: entries {@code 0 .. depth - 1} are live; entry {@code d} holds the id of the checkpoint at depth
 * {@code d}, the used bytes it saved (non-decreasing with {@code d}) and whether it belongs to an open scope. Ids
 * are unique and increasing, so a discarded checkpoint whose depth was reused no longer matches. In checked mode,
 * {@code levels[d]} for {@code d <= depth} is the open JDK arena that serves allocations made while {@code d}
 * checkpoints are live; discarding checkpoints closes the levels above them. Scope flags, not scope objects, are
 * kept, so that a scope does not escape and the JIT can remove it.
 *
 * <p>Not thread-safe: a confined allocator calls it from its owner thread, a thread-safe one under its lock.
 */
final class CheckpointStack {

    private static final int INITIAL_DEPTH = 8;

    private final Lifecycle life;
    private final boolean checked;
    private long[] ids = new long[INITIAL_DEPTH];
    private long[] usedAt = new long[INITIAL_DEPTH];
    private boolean[] scopeAt = new boolean[INITIAL_DEPTH];
    /** Checked mode: where each open scope was opened, for leak reports; {@code null} otherwise. */
    private StackTraceElement[][] sites;
    /** Checked mode: the arena of each level; {@code null} otherwise. */
    private Arena[] levels;
    private int depth;
    private long nextId = 1;

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
     * Pushes a checkpoint one level deeper.
     *
     * @param owner      the allocator, recorded in the checkpoint
     * @param chunkStart the allocator's used bytes at the start of its current chunk (0 for a fixed arena)
     * @param top        the bytes used in the current chunk
     * @param scope      whether the checkpoint belongs to a scope (a leak if still open at close)
     * @return the checkpoint
     */
    BumpCheckpoint push(BumpAllocator owner, long chunkStart, long top, boolean scope) {
        int d = depth;
        if (d == ids.length) {
            deepen();
        }
        if (checked) {
            levels[d + 1] = life.newArena();
            sites[d] = scope ? CheckedMode.captureSite() : null;
        }
        long id = nextId++;
        ids[d] = id;
        usedAt[d] = chunkStart + top;
        scopeAt[d] = scope;
        depth = d + 1;
        return new BumpCheckpoint(owner, id, d, chunkStart, top);
    }

    private void deepen() {
        int length = ids.length * 2;
        ids = Arrays.copyOf(ids, length);
        usedAt = Arrays.copyOf(usedAt, length);
        scopeAt = Arrays.copyOf(scopeAt, length);
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
        return d < depth && ids[d] == checkpoint.id;
    }

    /**
     * Discards {@code checkpoint} if it is the innermost live checkpoint and checked mode is off, which has no level
     * arenas to close: the fast path of a scope's close, a comparison of its depth and id and one store.
     *
     * @param checkpoint a checkpoint whose owner is this stack's allocator
     * @return {@code true} when it was discarded; {@code false}, and nothing changed, otherwise
     */
    boolean popInnermost(BumpCheckpoint checkpoint) {
        int d = checkpoint.depth;
        if (checked || d != depth - 1 || ids[d] != checkpoint.id) {
            return false;
        }
        depth = d;
        return true;
    }

    /** Returns the number of live checkpoints. */
    int depth() {
        return depth;
    }

    /**
     * Discards the checkpoint at {@code index} and every one after it. In checked mode, closes the arenas of the
     * allocations made after them.
     *
     * @param index the depth of the outermost checkpoint to discard, at most {@link #depth()}
     */
    void discardFrom(int index) {
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

    /** Checked mode: closes every level (the allocator closes). Discards every checkpoint. */
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
            if (!scopeAt[d]) {
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
