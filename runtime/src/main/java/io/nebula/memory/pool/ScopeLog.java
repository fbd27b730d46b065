package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Events;

import java.util.Arrays;

/**
 * The open scopes of one thread on one pool, and the blocks that thread took inside them: a stack of scopes (each an
 * id and a mark) over one growable array of (handle, byte size) pairs, newest last. A thread-safe pool has one per
 * thread that opened a scope on it (a confined pool keeps a plain log of handles of its own: see
 * {@link ConfinedPoolScope}).
 *
 * <p>Invariants: the entries from the mark of the scope at depth {@code d} up to the mark of the scope at depth
 * {@code d + 1} (or the end) were taken while that scope was the thread's innermost; marks never decrease with
 * depth. An entry only says that the block <em>was</em> taken in its scope: whether the scope still holds it is the
 * block's tag (see {@link PoolScope}).
 *
 * <p>Holds no reference to its pool, so that the thread-local map of a thread-safe pool does not keep a closed pool
 * reachable (it holds its own thread, which that map belongs to anyway). Not thread-safe: only its thread touches
 * it. Allocates only when it grows, doubling, so a steady workload stops allocating after warm-up.
 */
final class ScopeLog {

    /** Handles at even indexes, the byte size asked for at the odd index after each. */
    private long[] entries = new long[32];
    private int size;
    /** The id and mark of each open scope, outermost first. */
    private long[] ids = new long[4];
    private int[] marks = new int[4];
    private int depth;
    /** The thread whose scopes these are: only it may close them. */
    final Thread owner = Thread.currentThread();
    /** Thread-safe pools: the pool's reset count when this log was last valid; see {@link SharedPool}. */
    int epoch;
    /** Thread-safe pools: the next scope id this log may hand out, and the end of its reserved range. */
    private long nextId;
    private long idLimit;

    ScopeLog(int epoch) {
        this.epoch = epoch;
    }

    /** The number of open scopes. */
    int depth() {
        return depth;
    }

    /** The id of the innermost open scope; only while {@link #depth()} is positive. */
    long innermostId() {
        return ids[depth - 1];
    }

    /** Thread-safe pools: the next id of this log's reserved range, or 0 when the range is used up. */
    long takeId() {
        return nextId < idLimit ? nextId++ : 0;
    }

    /** Thread-safe pools: reserves the ids from {@code first} (inclusive) to {@code limit} (exclusive). */
    void reserveIds(long first, long limit) {
        nextId = first;
        idLimit = limit;
    }

    /** Opens a scope nested in the open ones and returns it. */
    PoolScope open(SharedPool pool, long id) {
        if (depth == ids.length) {
            ids = Arrays.copyOf(ids, depth * 2);
            marks = Arrays.copyOf(marks, depth * 2);
        }
        ids[depth] = id;
        marks[depth] = size;
        return new PoolScope(pool, this, id, depth++);
    }

    /** Records a block taken inside the innermost scope. */
    void add(long handle, long byteSize) {
        if (size == entries.length) {
            entries = Arrays.copyOf(entries, size * 2);
        }
        entries[size] = handle;
        entries[size + 1] = byteSize;
        size += 2;
    }

    /**
     * Throws unless the scope of {@code id}, opened at {@code scopeDepth}, is this log's innermost open scope;
     * changes nothing.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when the scope was discarded by a reset, or
     *     scopes opened inside it are still open
     */
    void checkInnermost(PoolAllocator pool, int scopeDepth, long id) {
        if (scopeDepth >= depth || ids[scopeDepth] != id) {
            throw Events.allocationError(PoolErrors.scopeDiscarded(pool, scopeDepth));
        }
        if (scopeDepth != depth - 1) {
            throw Events.allocationError(PoolErrors.scopeNotInnermost(pool, scopeDepth, depth));
        }
    }

    /** The index past the innermost scope's last entry; walk down from here, by 2, to {@link #innermostMark()}. */
    int end() {
        return size;
    }

    /** The index of the innermost scope's first entry. */
    int innermostMark() {
        return marks[depth - 1];
    }

    /** The handle of the entry at {@code index}. */
    long handleAt(int index) {
        return entries[index];
    }

    /** The byte size asked for by the entry at {@code index}. */
    long byteSizeAt(int index) {
        return entries[index + 1];
    }

    /** Closes the innermost scope: forgets it and its entries. */
    void pop() {
        size = marks[--depth];
    }

    /** Forgets every scope and entry (a reset discarded them); keeps the arrays for reuse. */
    void discard(int newEpoch) {
        size = 0;
        depth = 0;
        epoch = newEpoch;
    }
}
