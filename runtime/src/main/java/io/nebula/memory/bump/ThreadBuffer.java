package io.nebula.memory.bump;

import io.nebula.memory.internal.Requests;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A thread buffer: a slice of a thread-safe {@link BumpAllocator}'s current chunk that one thread reserved with one
 * compare-and-set ({@link ActiveChunk#reserve}) and now allocates from with plain loads and stores, as the JVM's
 * thread-local allocation buffers do for the Java heap.
 *
 * <p>A platform thread keeps one buffer per arena in a {@link ThreadLocal}; virtual threads share a small array of
 * buffers picked by a hash of the thread id, each taken with {@link #tryAcquire()} for one allocation and given
 * back with {@link #release()}, so that a million virtual threads do not reserve a million buffers.
 *
 * <p>Invariants: only the thread that owns the buffer (its platform thread, or the holder of a striped buffer)
 * reads or writes {@code chunk}, {@code top} and {@code limit}. The buffer is usable only while {@code chunk} is the
 * arena's current {@link ActiveChunk}: a checkpoint, scope, restore, reset or move to another chunk replaces it, and
 * with it retires every buffer at once. While usable, {@code top <= limit <= chunk.size}, and the bytes from
 * {@code top} to {@code limit} were claimed from the chunk by this buffer and handed to no allocation yet.
 *
 * <p>The fields sit between 64 bytes of padding on each side (a superclass's before them, this class's after), as
 * JCTools pads its queues: the owner writes {@code top} on every allocation, and the collector may move two
 * threads' buffers, or a buffer and the arena objects every call reads, next to each other. Without the padding,
 * two threads on one arena's segment path took 7.2-7.9 ns per allocation in some JVMs and 20-25 ns in others.
 */
final class ThreadBuffer extends ThreadBufferFields {

    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(ThreadBufferFields.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Padding after the fields, unused. */
    long q0, q1, q2, q3, q4, q5, q6, q7;

    ThreadBuffer(Thread owner) {
        super(owner);
    }

    /**
     * Allocates from the buffer if {@code current} is still its period and the request fits.
     *
     * @param current       the arena's current period, read once by the caller
     * @param byteSize      the size, not negative
     * @param byteAlignment the alignment, a power of two
     * @return the start of the allocation in {@code current.segment}, or {@code -1}
     */
    long bump(ActiveChunk current, long byteSize, long byteAlignment) {
        if (chunk != current) {
            return -1;
        }
        long start = Requests.alignUp(current.base + top, byteAlignment) - current.base;
        if (byteSize > limit - start) {
            return -1;
        }
        top = start + byteSize;
        return start;
    }

    /** Points the buffer at a new reservation whose first allocation ends at {@code top}. */
    void reset(ActiveChunk current, long top, long limit) {
        this.chunk = current;
        this.top = top;
        this.limit = limit;
    }

    /**
     * Takes a striped buffer for one allocation.
     *
     * @return {@code false} when another thread holds it
     */
    boolean tryAcquire() {
        return HELD.compareAndSet(this, 0, 1);
    }

    /** Gives a striped buffer back: its fields' writes happen before the next holder's reads. */
    void release() {
        HELD.setRelease(this, 0);
    }
}

/** Padding before a thread buffer's fields, unused. */
abstract sealed class ThreadBufferPadding permits ThreadBufferFields {
    long p0, p1, p2, p3, p4, p5, p6, p7;
}

/** A thread buffer's fields, between padding. */
abstract sealed class ThreadBufferFields extends ThreadBufferPadding permits ThreadBuffer {
    /** The platform thread whose buffer this is; {@code null} for a striped buffer (or a result holder). */
    final Thread owner;
    /** The period the buffer was reserved in; {@code null} before the first reservation. */
    ActiveChunk chunk;
    /** The next free byte, an offset in {@code chunk.segment}. */
    long top;
    /** The end of the buffer, an offset in {@code chunk.segment}. */
    long limit;
    /** The period the last allocation through {@link BumpAllocator}'s slow path landed in, for its caller. */
    ActiveChunk claimedIn;
    /** A striped buffer's flag: 1 while a virtual thread allocates from it; accessed through {@code HELD}. */
    @SuppressWarnings("unused")
    int held;

    ThreadBufferFields(Thread owner) {
        this.owner = owner;
    }
}
