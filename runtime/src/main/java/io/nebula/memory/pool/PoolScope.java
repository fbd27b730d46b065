package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Scope;

/**
 * A scope of a thread-safe pool, opened by {@link PoolAllocator#scope()}: closing it gives back every block that its
 * thread took from the pool while it was the thread's innermost open scope, and has not given back since. A confined
 * pool's scopes give the same guarantees more cheaply: see {@link ConfinedPoolScope}.
 *
 * <h2>How a scope knows its blocks</h2>
 * Each scope has an id, unique over the pool's life. While a scope is a thread's innermost, every block the thread
 * takes, by any path, is appended to the thread's {@link ScopeLog} and its <em>tag</em> (one {@code long} per block,
 * in the {@link ChunkTable}) is set to the scope's id. Giving a block back by hand sets its tag to 0 (atomically on a
 * thread-safe pool). Closing the scope walks its log entries, newest first, and gives back exactly the blocks whose
 * tag it can change from its own id: a block given back by hand has tag 0; a block given back and handed out again,
 * to any scope or thread, has tag 0 or another scope's id. So a scope never frees a block twice, nor a block that
 * now belongs to someone else, and a block taken twice by the same scope (given back by hand in between) is given
 * back once. On a thread-safe pool the change is a compare-and-set to a transient "being given back" value, so that
 * a concurrent hand deallocation of the same block gets {@link ErrorCode#DOUBLE_FREE} instead of racing the scope.
 *
 * <p>The blocks go back through the pool's own accounting and checked-mode records: statistics count each as a
 * deallocation, and in checked mode each segment handed out inside the scope has its own arena, which the close
 * closes, so a view kept past the scope throws {@link IllegalStateException} on its next access.
 *
 * <p>A scope belongs to the thread that opened it; only that thread may close it. Plain fields, no
 * synchronisation: {@link #isClosed()} is exact on that thread. The scope passes only its fields to the pool, never
 * itself, so that the JIT can remove the object when {@code scope()} and {@code close()} inline into the caller.
 */
final class PoolScope implements Scope {

    private final SharedPool pool;
    /** The log of the thread that opened the scope. */
    final ScopeLog log;
    /** The scope's id: never 0, unique over the pool's life. */
    final long id;
    /** How many scopes of the same thread were open around it. */
    final int depth;
    /** Set once the close succeeded. */
    private boolean closed;

    PoolScope(SharedPool pool, ScopeLog log, long id, int depth) {
        this.pool = pool;
        this.log = log;
        this.id = id;
        this.depth = depth;
    }

    /**
     * Gives back the blocks the scope holds. Closing a closed scope does nothing. When closing fails the scope stays
     * open and the pool is unchanged.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when a scope opened inside this one is still
     *     open, or a {@code reset()} discarded this scope; {@link ErrorCode#WRONG_THREAD} from a thread other than
     *     the one that opened it; {@link ErrorCode#CLOSED} when the pool is closed
     */
    @Override
    public void close() {
        if (!closed) {
            pool.closeScope(log, depth, id);   // throws, and leaves the scope open, when it cannot close
            closed = true;
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "PoolScope[id=" + id + ", depth=" + depth + (closed ? ", closed" : "") + "]";
    }
}
