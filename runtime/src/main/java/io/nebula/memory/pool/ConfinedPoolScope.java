package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Scope;

/**
 * A scope of a pool confined to one thread, opened by {@link ConfinedPool#scope()}: closing it gives back every block
 * the pool handed out while it was the innermost open scope, and that was not given back since. The guarantees are
 * {@link PoolScope}'s; only how the scope knows its blocks differs.
 *
 * <h2>How the scope knows its blocks</h2>
 * The scope holds its own frame, as an arena's scope does: the depth it was opened at, the pool's scope epoch at that
 * moment, and the length of the pool's scope log (a {@code long[]} of handles, one per block taken inside a scope,
 * innermost scope's last). Closing it gives back, newest first, the logged blocks from that mark on that are still
 * in use, and truncates the log to the mark. No id, no tag per block: on a confined pool the block's in-use mark
 * (its free-list entry holds {@code IN_USE}) tells the scope's blocks apart, because while the scope is the innermost
 * every block the pool hands out is logged in it, and the scopes opened inside it gave theirs back when they closed:
 * <ul>
 *   <li>a logged block given back by hand is no longer in use (never freed twice);</li>
 *   <li>a logged block given back and handed out again while the scope was innermost is logged again, and freed once
 *       (its older entry then finds it free); handed out again inside a nested scope, that scope gave it back or the
 *       hand did, so it is free;</li>
 *   <li>nothing else can hold a logged block: no block is handed out outside the innermost scope while a scope is
 *       open, and {@code reset()} discards every open scope (the epoch moves on, and closing one of them throws).</li>
 * </ul>
 * So opening a scope is one store (the open count), a block taken inside one an append to the log, a block given back
 * by hand nothing more than outside a scope, and closing a test of the in-use mark and a free per logged block.
 *
 * <p>The blocks go back through the pool's own accounting and checked-mode records, as {@link PoolScope}'s do. The
 * scope passes itself to the pool, whose close reads its fields; when {@code scope()} and {@code close()} inline into
 * the caller the object is scalar-replaced.
 */
final class ConfinedPoolScope implements Scope {

    private final ConfinedPool pool;
    /** How many scopes were open around it. */
    final int depth;
    /** The pool's scope epoch when the scope opened: a reset moves it on, which discards the scope. */
    final int epoch;
    /** The length of the pool's scope log when the scope opened: its entries start here. */
    final int mark;
    /** Set once the close succeeded. */
    private boolean closed;

    ConfinedPoolScope(ConfinedPool pool, int depth, int epoch, int mark) {
        this.pool = pool;
        this.depth = depth;
        this.epoch = epoch;
        this.mark = mark;
    }

    /**
     * Gives back the blocks the scope holds. Closing a closed scope does nothing. When closing fails the scope stays
     * open and still holds the blocks it has not given back.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when a scope opened inside this one is still
     *     open, or a {@code reset()} discarded this scope; {@link ErrorCode#WRONG_THREAD} from a thread other than
     *     the pool's; {@link ErrorCode#CLOSED} when the pool is closed
     */
    @Override
    public void close() {
        if (!closed) {
            pool.closeScope(this);   // throws, and leaves the scope open, when it cannot close
            closed = true;
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "PoolScope[depth=" + depth + ", epoch=" + epoch + (closed ? ", closed" : "") + "]";
    }
}
