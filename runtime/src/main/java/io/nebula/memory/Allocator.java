package io.nebula.memory;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An off-heap allocator that hands out slices of native memory it owns and can take them back.
 *
 * <p>Every allocator is a {@link SegmentAllocator}, so the JDK's helpers work on it unchanged:
 * {@code allocate(MemoryLayout)}, {@code allocate(layout, count)} for arrays, and the {@code allocateFrom}
 * family that allocates and initialises in one call. This interface adds what {@code SegmentAllocator} lacks:
 * giving memory back ({@link #deallocate(MemorySegment)}, and a typed form that checks the layout), allocation
 * with an initialiser of your own, ownership queries, and an explicit lifetime ({@link #close()}).
 *
 * <p>Memory handed out is <em>not</em> zeroed unless the allocator's configuration says so: it holds whatever
 * the previous user of the same bytes left there, or the configured fill pattern. {@code allocateFrom} and the
 * generated struct constructors initialise every byte they hand out.
 *
 * <p>Every failure is an {@link AllocationException} whose {@link AllocationException#code() code} says what
 * went wrong and whose message gives the numbers involved and what to do. A failed call leaves the allocator
 * exactly as it was. Note that this deviates from {@link SegmentAllocator#allocate(long, long)}, which documents
 * {@code IllegalArgumentException} for a negative size or a bad alignment: here those are
 * {@link ErrorCode#INVALID_SIZE} and {@link ErrorCode#INVALID_ALIGNMENT}; a negative or overflowing element count
 * of {@code allocate(layout, count)} is {@link ErrorCode#INVALID_SIZE} too. What {@code allocateFrom} is given to
 * copy keeps the JDK's exception types, and the library's allocators check it before allocating. The JDK's
 * helpers this interface inherits ({@code allocate(long)}, {@code allocate(MemoryLayout)}, the {@code allocateFrom}
 * forms for values, arrays and strings) allocate through {@link #allocate(long, long)} and throw what it throws.
 * Every method throws {@link NullPointerException} for a {@code null} argument.
 */
public interface Allocator extends SegmentAllocator, AutoCloseable {

    /**
     * Allocates {@code byteSize} bytes aligned to {@code byteAlignment}.
     *
     * @param byteSize      the size in bytes, zero or more
     * @param byteAlignment the alignment in bytes, a power of two
     * @return a segment of exactly {@code byteSize} bytes whose address is a multiple of {@code byteAlignment};
     *     it stays accessible until it is given back, the allocator is reset past it, or the allocator is closed
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE}, {@link ErrorCode#INVALID_ALIGNMENT},
     *     {@link ErrorCode#OUT_OF_MEMORY}, {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * Gives back a segment that this allocator handed out.
     *
     * <p>What that means depends on the allocator: a bump allocator ignores it (memory comes back in bulk on
     * {@code reset} or {@code restore}); a pool puts the block back on its free list; a stack pops its top.
     *
     * @param segment a segment that this allocator returned and that is still live
     * @throws AllocationException {@link ErrorCode#FOREIGN_SEGMENT} when the segment is not this allocator's,
     *     {@link ErrorCode#DOUBLE_FREE}, {@link ErrorCode#OUT_OF_ORDER}, in checked mode
     *     {@link ErrorCode#USE_AFTER_FREE}, {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    void deallocate(MemorySegment segment);

    /**
     * Gives back a segment after checking that it has the size and alignment of {@code layout}: the typed
     * counterpart of {@link #allocate(MemoryLayout)}.
     *
     * @param segment a segment that this allocator returned for {@code layout}
     * @param layout  the layout the segment was allocated for
     * @throws AllocationException {@link ErrorCode#LAYOUT_MISMATCH} when the segment does not fit the layout, or
     *     any error of {@link #deallocate(MemorySegment)}
     * @throws NullPointerException when {@code segment} or {@code layout} is {@code null}
     */
    default void deallocate(MemorySegment segment, MemoryLayout layout) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(layout, "layout");
        if (segment.byteSize() != layout.byteSize() || segment.address() % layout.byteAlignment() != 0) {
            throw new AllocationException(ErrorCode.LAYOUT_MISMATCH, toString(),
                    new AllocationException.Request(layout.byteSize(), layout.byteAlignment()), -1, -1,
                    "the segment (" + segment.byteSize() + " bytes at address 0x"
                            + Long.toHexString(segment.address()) + ") does not have the size and alignment of "
                            + layout,
                    List.of("Pass the layout the segment was allocated with.",
                            "Use deallocate(segment) when the layout is not known."));
        }
        deallocate(segment);
    }

    /**
     * Allocates memory for {@code layout} and runs {@code initializer} on it before returning it.
     *
     * <p>If the initialiser throws, the segment is given back (where the allocator can take it back) and the
     * exception propagates.
     *
     * @param layout      the layout to allocate
     * @param initializer writes the initial contents
     * @return the initialised segment
     * @throws AllocationException as {@link #allocate(long, long)}
     * @throws NullPointerException when {@code layout} or {@code initializer} is {@code null}
     */
    default MemorySegment allocate(MemoryLayout layout, Consumer<? super MemorySegment> initializer) {
        Objects.requireNonNull(initializer, "initializer");
        MemorySegment segment = allocate(layout);
        try {
            initializer.accept(segment);
        } catch (RuntimeException | Error e) {
            try {
                deallocate(segment);
            } catch (AllocationException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return segment;
    }

    /**
     * Tells whether {@code segment} lies inside memory that this allocator owns.
     *
     * @param segment any segment
     * @return {@code true} when the whole segment lies in this allocator's native memory
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    boolean owns(MemorySegment segment);

    /**
     * Tells whether {@link #close()} has been called.
     *
     * @return {@code true} once the allocator is closed
     */
    boolean isClosed();

    /**
     * Frees the allocator's native memory. Every segment it handed out becomes inaccessible: the FFM API throws
     * {@link IllegalStateException} on any later access. Closing a closed allocator does nothing.
     *
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from a thread other than a confined allocator's
     *     owner, or {@link ErrorCode#LEAK} when allocations or scopes are still open and the leak policy is
     *     {@code FAIL}; each allocator's {@code close()} says which it can throw
     */
    @Override
    void close();
}
