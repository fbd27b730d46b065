package io.nebula.memory.bump;

import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One period during which a thread-safe {@link BumpAllocator} bumps through one chunk (a fixed arena's block is its
 * only chunk): the chunk, where it starts in the arena's used bytes, and its own bump offset, advanced by
 * compare-and-set, by a request of its own or by a {@link ThreadBuffer} reserved whole.
 *
 * <p>Invariants: a new {@code ActiveChunk} is made, under the arena's lock, whenever the arena's position changes
 * other than by allocation (growth, a checkpoint or a scope opened, a restore, a reset), and the one it replaces is
 * first <em>sealed</em>: its offset set to {@link #SEALED}, past any chunk's end, so every later claim on it fails.
 * An {@code ActiveChunk} is never reused. Hence a claim that succeeds took its range while this was the arena's
 * current period, with no ABA: a thread that read an old {@code ActiveChunk} either claims before the seal (its
 * allocation precedes the release and is released by it) or fails and retries on the new one. A thread buffer
 * belongs to the period it was reserved in and is used only while that period is current, so a seal also retires
 * every thread buffer at once. Between seals, {@code 0 <= top <= chunk size}.
 */
final class ActiveChunk {

    /** The bump offset of a sealed chunk: beyond any chunk, so that every claim fails. */
    static final long SEALED = Long.MAX_VALUE / 4;

    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(ActiveChunk.class, "top", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final MemorySegment segment;
    final long base;
    final long size;
    /** The arena's used bytes at the start of this chunk. */
    final long usedBefore;
    /** The bytes used in the chunk; accessed through {@link #TOP}. */
    private long top;

    ActiveChunk(MemorySegment segment, long usedBefore, long top) {
        this.segment = segment;
        this.base = segment.address();
        this.size = segment.byteSize();
        this.usedBefore = usedBefore;
        this.top = top;
    }

    /**
     * Claims {@code byteSize} bytes aligned to {@code byteAlignment}, both valid.
     *
     * @return the bytes used in the chunk just before the claim (the range starts at the next address aligned
     *     to {@code byteAlignment} from there), or {@code -1} when it does not fit (or the chunk is sealed)
     */
    long claim(long byteSize, long byteAlignment) {
        long used = (long) TOP.getVolatile(this);
        while (true) {
            long start = Requests.alignUp(base + used, byteAlignment) - base;
            if (byteSize > size - start) {
                return -1;
            }
            long end = start + byteSize;
            long witness = (long) TOP.compareAndExchange(this, used, end);
            if (witness == used) {
                return used;
            }
            used = witness;
        }
    }

    /**
     * Reserves a thread buffer that starts with the request: from the aligned start of the request to the request's
     * end or {@code bufferBytes} past the bytes used before, whichever is further, cut at the chunk's end.
     *
     * @return the bytes used in the chunk just before the reservation (the buffer ends at
     *     {@link #bufferEnd(long, long, long, long)} of it), or {@code -1} when the request does not fit (or the
     *     chunk is sealed)
     */
    long reserve(long byteSize, long byteAlignment, long bufferBytes) {
        long used = (long) TOP.getVolatile(this);
        while (true) {
            long start = Requests.alignUp(base + used, byteAlignment) - base;
            if (byteSize > size - start) {
                return -1;
            }
            long end = bufferEnd(used, start + byteSize, size, bufferBytes);
            long witness = (long) TOP.compareAndExchange(this, used, end);
            if (witness == used) {
                return used;
            }
            used = witness;
        }
    }

    /**
     * Where a thread buffer reserved from {@code used} ends: at the request's end {@code requestEnd} or
     * {@code bufferBytes} past {@code used}, whichever is further, but not past {@code chunkSize}.
     */
    static long bufferEnd(long used, long requestEnd, long chunkSize, long bufferBytes) {
        return Math.max(requestEnd, Math.min(chunkSize, used + Math.min(bufferBytes, chunkSize)));
    }

    /**
     * Moves the bump offset from {@code from} to {@code to} if it is still at {@code from}: a thread buffer that
     * ends where the chunk's used bytes end grows in place, or a claim made under the lock is undone.
     *
     * @return whether the offset moved
     */
    boolean move(long from, long to) {
        return TOP.compareAndSet(this, from, to);
    }

    /** Where a range claimed when {@code used} bytes were used starts in {@link #segment}. */
    long start(long used, long byteAlignment) {
        return Requests.alignUp(base + used, byteAlignment) - base;
    }

    /** The bytes used in the chunk; {@link #SEALED} once sealed. */
    long top() {
        return (long) TOP.getVolatile(this);
    }

    /**
     * Seals the chunk: every later claim fails.
     *
     * @return the bytes used at the moment of sealing
     */
    long seal() {
        return (long) TOP.getAndSet(this, SEALED);
    }
}
