package io.nebula.memory.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One stripe of a thread-safe pool's cache of free blocks: a short stack of block handles on the Java heap, that one
 * thread at a time owns. Unlike the pool's shared free list ({@link SharedPool}), which is linked through the free
 * blocks, a magazine keeps nothing in the blocks it holds, so a write into one of them after it was given back
 * cannot reach the magazine, and taking a block reads no native memory.
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

    /** The index in {@link #handles} of the first handle: 64 bytes of padding come before it. */
    static final int FIRST = 8;

    /**
     * An array of handles for a cache of at most {@code capacity} blocks, from {@link #FIRST} on, with 64 bytes of
     * padding at each end: the owner writes it on every give-back, and no other object may share its lines.
     */
    static long[] newHandles(int capacity) {
        return new long[capacity + 2 * FIRST];
    }

    /** A magazine that holds at most {@code capacity} blocks. */
    Magazine(int capacity) {
        super(capacity);
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
 * A magazine's state. {@code handles[FIRST .. FIRST + count - 1]} are the handles of the free blocks held, the last
 * put in at the end, which is taken first. Written only by the owner; {@code count} is also read by any thread, for
 * the pool's count of blocks in use.
 */
abstract sealed class MagazineFields extends MagazinePadding permits Magazine {
    /** 1 while a thread owns the magazine; through {@code Magazine.OWNED}. */
    long owned;
    long count;
    /**
     * The handles of the blocks held, from {@link Magazine#FIRST} on, between 64 bytes of padding at each end: the
     * owner writes the array on every give-back, and another magazine's array or fields must not share its lines.
     */
    final long[] handles;

    MagazineFields(int capacity) {
        this.handles = Magazine.newHandles(capacity);
    }
}
