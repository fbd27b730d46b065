package io.nebula.memory.async;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.Resettable;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.SegmentRequests;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A bump arena over bytes leased from an {@link AsyncArena}'s budget: what {@link AsyncArena#lease(long)}
 * completes with. Allocation moves a pointer through the leased bytes; {@link #close()} gives all of them back to
 * the budget at once, which serves the requests waiting for memory.
 * <pre>{@code
 * arena.lease(16 * 1024).thenAccept(lease -> {
 *     try (lease) {
 *         MemorySegment body = lease.allocate(4096, 8);
 *         ...
 *     }   // the 16 KiB go back to the budget
 * });
 * }</pre>
 *
 * <h2>Costs and threads</h2>
 * {@link #allocate(long, long)} is an alignment round-up, a bounds check and a compare-and-set: any thread may
 * allocate, so a lease can follow its request from one executor thread to the next. {@link #deallocate} only
 * checks ownership; {@link #reset()} releases every allocation in one store, atomically with respect to concurrent
 * allocations. Memory is not zeroed unless the arena's config says {@link AsyncConfig#zeroOnRelease()}.
 *
 * <h2>Lifetime</h2>
 * The leased bytes lie in the arena's block. After {@link #close()} the lease refuses to allocate
 * ({@link ErrorCode#CLOSED}), but segments it handed out still point into the block, where the bytes may already
 * belong to another lease: do not use them after closing. When the arena itself closes, every segment becomes
 * inaccessible and the JDK throws on access.
 */
public final class Lease implements Allocator, MemoryUsage, Resettable {

    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(Lease.class, "top", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AsyncArena arena;
    private final Grant grant;
    private final MemorySegment segment;
    private final long address;
    private final long capacity;
    /** The bytes used, padding included. */
    @SuppressWarnings("unused") // through TOP
    private volatile long top;

    Lease(AsyncArena arena, MemorySegment segment, Grant grant) {
        this.arena = arena;
        this.segment = segment;
        this.grant = grant;
        this.address = segment.address();
        this.capacity = segment.byteSize();
    }

    /**
     * Returns the leased bytes: exactly the size requested, aligned to the arena's granule.
     *
     * @return the lease's memory
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * {@inheritDoc}
     *
     * @throws AllocationException {@link ErrorCode#OUT_OF_MEMORY} when the lease has too few bytes left,
     *     {@link ErrorCode#INVALID_SIZE}, {@link ErrorCode#INVALID_ALIGNMENT}, or {@link ErrorCode#CLOSED} once
     *     the lease or its arena is closed
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw Events.allocationError(AsyncErrors.invalidSize(toString(), byteSize, byteAlignment,
                    availableBytes(), usedBytes()));
        }
        if (byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            throw Events.allocationError(AsyncErrors.invalidAlignment(toString(), byteSize, byteAlignment,
                    availableBytes(), usedBytes()));
        }
        checkOpen();
        while (true) {
            long used = top;
            long start = ((address + used + byteAlignment - 1) & -byteAlignment) - address;
            // start < 0: the round-up overflowed, with an alignment far beyond the lease
            if (start < 0 || start > capacity || byteSize > capacity - start) {
                throw Events.allocationError(AsyncErrors.leaseFull(toString(), byteSize, byteAlignment,
                        capacity - used, used, capacity));
            }
            if (TOP.compareAndSet(this, used, start + byteSize)) {
                return segment.asSlice(start, byteSize);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks the count before allocating: a negative count, or one whose array would overflow a {@code long},
     * is a bad size like {@code allocate(-1, 8)} (where the JDK's default method throws
     * {@link IllegalArgumentException}).
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code count} is negative or the array's size
     *     overflows, or any error of {@link #allocate(long, long)}
     * @throws IllegalArgumentException when the element layout's size is not a multiple of its alignment
     * @throws NullPointerException     when {@code elementLayout} is {@code null}
     */
    @Override
    public MemorySegment allocate(MemoryLayout elementLayout, long count) {
        return allocate(arrayBytes(elementLayout, count), elementLayout.byteAlignment());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks the count and the source before allocating (the JDK's default method allocates first and checks the
     * source while copying it, which would cost the lease the bytes): a call that throws has allocated nothing.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code elementCount} is negative or the
     *     array's size overflows, or any error of {@link #allocate(long, long)}
     * @throws IllegalArgumentException  when the layouts differ in size, a layout's alignment is larger than its
     *     size, or the source is not aligned for {@code sourceElementLayout}
     * @throws IndexOutOfBoundsException when the elements do not lie inside {@code source}
     * @throws IllegalStateException     when {@code source}'s scope is closed
     * @throws WrongThreadException      when the calling thread cannot access {@code source}
     * @throws NullPointerException      when an argument is {@code null}
     */
    @Override
    public MemorySegment allocateFrom(ValueLayout elementLayout, MemorySegment source,
                                      ValueLayout sourceElementLayout, long sourceOffset, long elementCount) {
        return SegmentRequests.allocateFrom(this, arrayBytes(elementLayout, elementCount), elementLayout, source,
                sourceElementLayout, sourceOffset, elementCount);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks {@code value} before allocating: a call that throws has allocated nothing.
     *
     * @throws IllegalArgumentException when {@code value} is not a native segment
     * @throws AllocationException      any error of {@link #allocate(long, long)}
     * @throws NullPointerException     when an argument is {@code null}
     */
    @Override
    public MemorySegment allocateFrom(AddressLayout layout, MemorySegment value) {
        return SegmentRequests.allocateFrom(this, layout, value);
    }

    /** The bytes of an array of {@code count} elements, or {@link ErrorCode#INVALID_SIZE}. */
    private long arrayBytes(MemoryLayout elementLayout, long count) {
        long bytes = SegmentRequests.arrayBytes(elementLayout, count);
        if (bytes < 0) {
            throw Events.allocationError(SegmentRequests.invalidCount(toString(), elementLayout, count,
                    availableBytes(), usedBytes()));
        }
        return bytes;
    }

    /**
     * Checks that the segment lies in this lease and otherwise does nothing: a lease takes memory back only all
     * at once, by {@link #reset()} or {@link #close()}.
     *
     * @param segment a segment this lease handed out
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when it does not lie in the lease, or
     *     {@link ErrorCode#CLOSED}
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOpen();
        if (!owns(segment)) {
            throw Events.allocationError(AsyncErrors.foreign(toString(), segment.address(), segment.byteSize()));
        }
    }

    /**
     * Releases every allocation of the lease: the next allocation starts at its first byte again. The bytes stay
     * leased.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED}
     */
    @Override
    public void reset() {
        checkOpen();
        top = 0;
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        return segment.isNative() && segment.address() >= address
                && segment.address() + segment.byteSize() <= address + capacity;
    }

    @Override
    public long usedBytes() {
        return top;
    }

    @Override
    public long availableBytes() {
        return capacity - top;
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    @Override
    public boolean isClosed() {
        return grant.isReturned();
    }

    /**
     * Gives the leased bytes back to the arena's budget, serving waiting requests. Closing again does nothing.
     * Segments the lease handed out must not be used afterwards (see the class documentation).
     */
    @Override
    public void close() {
        arena.giveBack(grant);
    }

    @Override
    public String toString() {
        return "Lease[bytes=" + capacity + ", used=" + top + (isClosed() ? ", closed" : "") + "]";
    }

    private void checkOpen() {
        if (grant.isReturned()) {
            throw Events.allocationError(AsyncErrors.released(toString()));
        }
        if (arena.isClosed()) {
            throw Events.allocationError(AsyncErrors.arenaClosed(toString(), arena.toString()));
        }
    }
}
