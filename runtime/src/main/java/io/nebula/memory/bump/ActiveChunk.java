package io.nebula.memory.bump;

import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One period during which a thread-safe growable {@link BumpAllocator} bumps through one of its chunks: the chunk,
 * where it starts in the arena's used bytes, and its own bump offset, advanced by compare-and-set.
 *
 * <p>Invariants: a new {@code ActiveChunk} is made, under the arena's lock, whenever the arena moves to another
 * chunk (growth, a restore into an earlier chunk, a reset), and the one it replaces is first <em>sealed</em>: its
 * offset set to {@link #SEALED}, past any chunk's end, so every later claim on it fails. An {@code ActiveChunk} is
 * never reused. Hence a claim that succeeds took its range while this was the arena's current chunk, with no ABA:
 * a thread that read an old {@code ActiveChunk} either claims before the seal (its allocation precedes the release
 * and is released by it) or fails and retries on the new one. Between seals, {@code 0 <= top <= chunk size}.
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

    /** Where a range claimed when {@code used} bytes were used starts in {@link #segment}. */
    long start(long used, long byteAlignment) {
        return Requests.alignUp(base + used, byteAlignment) - base;
    }

    /** The bytes used in the chunk; {@link #SEALED} once sealed. */
    long top() {
        return (long) TOP.getVolatile(this);
    }

    /**
     * Moves the bump offset back (a restore within this chunk); a concurrent claim lands wholly before or after.
     *
     * @return the bytes used before
     */
    long rewind(long used) {
        return (long) TOP.getAndSet(this, used);
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
