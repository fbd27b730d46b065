package io.nebula.memory.stack;

import io.nebula.memory.Scope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The scope of a {@link StackAllocator}, opened by {@link StackAllocator#scope()}: a checkpoint restored when the
 * scope closes, so everything allocated while it was open is popped.
 *
 * <p>Holds the saved state itself (depth, the epoch it was opened in, used bytes; see
 * {@link StackEntries}) rather than a checkpoint object, and the stack never stores it, so opening a scope allocates
 * at most one small object, which the JIT removes when the scope does not escape. Valid, like a checkpoint, while
 * every allocation below it is live. The closed flag is written by the stack under its guard (the owner thread of a
 * confined stack, the lock of a thread-safe one) with release semantics and read with acquire semantics: no fence
 * on the close path. A close that fails leaves the scope open.
 */
final class StackScope implements Scope {

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(StackScope.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final StackAllocator stack;
    /** The number of live allocations when the scope opened. */
    final int depth;
    /** The stack's epoch when the scope opened. */
    final long epoch;
    /** The stack's used bytes when the scope opened. */
    final long usedBytes;
    /** Set once, by {@link #markClosed()}; accessed through {@link #CLOSED}. */
    @SuppressWarnings("unused")
    private boolean closed;

    StackScope(StackAllocator stack, int depth, long epoch, long usedBytes) {
        this.stack = stack;
        this.depth = depth;
        this.epoch = epoch;
        this.usedBytes = usedBytes;
    }

    /**
     * Pops everything allocated since the scope opened. Closing again does nothing. When the close fails the scope
     * stays open and the stack is unchanged.
     *
     * @throws io.nebula.memory.AllocationException {@link io.nebula.memory.ErrorCode#INVALID_CHECKPOINT} when an
     *     allocation that was live when the scope opened has been popped since (an enclosing scope was closed
     *     first, a checkpoint below it was restored, the allocation was deallocated, or the stack was reset);
     *     {@link io.nebula.memory.ErrorCode#CLOSED} or {@link io.nebula.memory.ErrorCode#WRONG_THREAD}
     */
    @Override
    public void close() {
        if (!isClosed()) {
            stack.closeScope(this);
        }
    }

    @Override
    public boolean isClosed() {
        return (boolean) CLOSED.getAcquire(this);
    }

    /** Called by the stack, under its guard, once the scope's allocations were popped. */
    void markClosed() {
        CLOSED.setRelease(this, true);
    }

    @Override
    public String toString() {
        return "StackScope[depth=" + depth + ", usedBytes=" + usedBytes + (isClosed() ? ", closed" : "") + "]";
    }
}
