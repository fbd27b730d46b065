package io.nebula.memory.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One stripe of a thread-safe pool's cache of free blocks: a short free list of its own, linked through the blocks
 * like the pool's shared one ({@link SharedPool}), that one thread at a time owns.
 *
 * <p>A thread takes ownership with one compare-and-set ({@link #tryAcquire()}), works on the plain fields, and gives
 * it up with a release store ({@link #release()}); the next owner's compare-and-set sees every write of the previous
 * one. A thread that finds the magazine owned does not wait: it uses the shared free list instead. Only the pool's
 * growth and reset, under the pool's lock, wait for an owner ({@link #acquire()}), and an owner never takes that
 * lock while it owns a magazine, so the wait is for a few instructions.
 *
 * <p>The magazines of a pool are created together and would share cache lines, so that two threads working on two
 * magazines would still contend; the fields sit between 64 bytes of padding on each side (a superclass's before
 * them, this class's after).
 */
final class Magazine extends MagazineFields {

    /** Padding after the fields, unused. */
    long p8, p9, p10, p11, p12, p13, p14, p15;

    private static final VarHandle OWNED;
    private static final VarHandle COUNT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OWNED = lookup.findVarHandle(MagazineFields.class, "owned", long.class);
            COUNT = lookup.findVarHandle(MagazineFields.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Magazine(long noNumber) {
        head = noNumber;
        tail = noNumber;
    }

    /** Takes ownership if no thread has it: one compare-and-set. */
    boolean tryAcquire() {
        return OWNED.compareAndSet(this, 0L, 1L);
    }

    /** Takes ownership, waiting for the owner, who holds it for a few instructions. Growth and reset only. */
    void acquire() {
        while (!tryAcquire()) {
            Thread.onSpinWait();
        }
    }

    /** Gives up ownership: the plain fields written since {@link #tryAcquire()} become visible to the next owner. */
    void release() {
        OWNED.setRelease(this, 0L);
    }

    /** The blocks held: exact while owned and once the threads that used the pool are done; else a recent value. */
    int held() {
        return (int) (long) COUNT.getOpaque(this);
    }
}

/** Padding before a magazine's fields, unused. */
abstract sealed class MagazinePadding permits MagazineFields {
    long p0, p1, p2, p3, p4, p5, p6, p7;
}

/**
 * A magazine's state. {@code head} is the block number of the first free block held, or the pool's {@code NO_NUMBER};
 * each held block links to the next in its first 8 bytes, and the last ({@code tail}) holds {@code NO_NUMBER}.
 * {@code count} is the number held. Written only by the owner; {@code count} is also read by any thread, for the
 * pool's count of blocks in use.
 */
abstract sealed class MagazineFields extends MagazinePadding permits Magazine {
    /** 1 while a thread owns the magazine; through {@code Magazine.OWNED}. */
    long owned;
    long head;
    long tail;
    long count;
}
