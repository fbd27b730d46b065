package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The checks of {@link SegmentAllocator}'s array and {@code allocateFrom} methods, made before anything is
 * allocated. The JDK's default methods allocate first and check the source while copying it, so a bad source
 * costs the allocation: a stack keeps an unreachable allocation on top, a pool loses a block until reset, an
 * arena loses the bytes. The allocators override those methods with these checks first.
 *
 * <p>A bad element count is a bad size: {@link ErrorCode#INVALID_SIZE}, as for {@code allocate(-1, 8)}. A bad
 * layout or source keeps the exception type {@link SegmentAllocator} documents for it
 * ({@link IllegalArgumentException}, {@link IndexOutOfBoundsException}, {@link IllegalStateException},
 * {@link WrongThreadException}): it is not an allocation failure, and code written against the JDK catches those.
 */
public final class SegmentRequests {

    private SegmentRequests() {
    }

    /**
     * Returns the bytes of an array of {@code count} elements, or the error when the count is negative or the
     * size overflows.
     *
     * @param elementLayout the element layout
     * @param count        the element count
     * @return the byte size, or {@code -1} when {@link #invalidCount} must be thrown
     * @throws IllegalArgumentException when the layout's size is not a multiple of its alignment, as
     *     {@link MemoryLayout#sequenceLayout(long, MemoryLayout)} throws
     */
    public static long arrayBytes(MemoryLayout elementLayout, long count) {
        Objects.requireNonNull(elementLayout, "elementLayout");
        long size = elementLayout.byteSize();
        if (size % elementLayout.byteAlignment() != 0) {
            throw new IllegalArgumentException("Element layout size is not multiple of alignment: " + elementLayout);
        }
        if (count < 0 || (size != 0 && count > Long.MAX_VALUE / size)) {
            return -1;
        }
        return size * count;
    }

    /**
     * Builds the error for an array whose element count is negative or whose size overflows.
     *
     * @param allocator     the allocator's description
     * @param elementLayout the element layout
     * @param count         the element count
     * @param available     the allocator's available bytes
     * @param used          the allocator's used bytes
     * @return the error, {@link ErrorCode#INVALID_SIZE}
     */
    public static AllocationException invalidCount(String allocator, MemoryLayout elementLayout, long count,
                                                   long available, long used) {
        Failure error = Failure.of(ErrorCode.INVALID_SIZE)
                .allocator(allocator)
                .memory(available, used);
        if (count < 0) {
            error.details("the element count is negative: " + count + " elements of " + elementLayout)
                    .suggest("Pass a count of zero or more; check the arithmetic that computed " + count + ".");
        } else {
            error.details(count + " elements of " + elementLayout.byteSize() + " bytes (" + elementLayout
                            + ") overflow a long: the array would need more than " + Long.MAX_VALUE + " bytes")
                    .suggest("Allocate fewer elements; an allocator holds at most its capacity ("
                            + (available + used) + " bytes).");
        }
        return error.build();
    }

    /**
     * Checks what {@code allocateFrom(elementLayout, source, sourceElementLayout, sourceOffset, elementCount)}
     * copies, as {@link MemorySegment#copy(MemorySegment, ValueLayout, long, MemorySegment, ValueLayout, long, long)}
     * would, before anything is allocated. The count must have been checked already.
     *
     * @param elementLayout       the layout of the new array's elements
     * @param source              the segment to copy from
     * @param sourceElementLayout the layout of its elements
     * @param sourceOffset        where to start copying
     * @param elementCount        how many elements, not negative
     * @throws IllegalArgumentException when the layouts differ in size, a layout's alignment is larger than its
     *     size, or the source is not aligned for its layout
     * @throws IndexOutOfBoundsException when the elements do not lie inside the source
     * @throws IllegalStateException when the source's scope is closed
     * @throws WrongThreadException when the calling thread cannot access the source
     */
    public static void checkSource(ValueLayout elementLayout, MemorySegment source, ValueLayout sourceElementLayout,
                                   long sourceOffset, long elementCount) {
        Objects.requireNonNull(elementLayout, "elementLayout");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sourceElementLayout, "sourceElementLayout");
        if (elementLayout.byteSize() != sourceElementLayout.byteSize()) {
            throw new IllegalArgumentException("Source and destination layouts must have same size: "
                    + sourceElementLayout + " and " + elementLayout);
        }
        if (sourceElementLayout.byteAlignment() > sourceElementLayout.byteSize()) {
            throw new IllegalArgumentException("Source layout alignment greater than its size: " + sourceElementLayout);
        }
        if (elementLayout.byteAlignment() > elementLayout.byteSize()) {
            throw new IllegalArgumentException("Destination layout alignment greater than its size: "
                    + elementLayout);
        }
        // Bounds first (IndexOutOfBoundsException), then the alignment of the slice, exactly as asSlice checks it.
        source.asSlice(sourceOffset, elementCount * sourceElementLayout.byteSize(), 1);
        long alignment = sourceElementLayout.byteAlignment();
        if (source.maxByteAlignment() < alignment || ((source.address() + sourceOffset) & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("Source segment incompatible with alignment constraints: offset "
                    + sourceOffset + " of " + source + " for " + sourceElementLayout);
        }
        checkAccessible(source);
    }

    /**
     * Checks the value of {@code allocateFrom(AddressLayout, MemorySegment)} before anything is allocated.
     *
     * @param layout the address layout
     * @param value  the segment whose address is stored
     * @throws IllegalArgumentException when {@code value} is not a native segment
     */
    public static void checkAddress(AddressLayout layout, MemorySegment value) {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(value, "value");
        if (!value.isNative()) {
            throw new IllegalArgumentException("Heap segment not allowed: " + value);
        }
    }

    /**
     * Serves {@code allocateFrom(elementLayout, source, sourceElementLayout, sourceOffset, elementCount)} for an
     * allocator that has checked the count: checks the source, then allocates and copies.
     *
     * @param target              the allocator
     * @param byteSize            the array's size in bytes, from {@link #arrayBytes}
     * @param elementLayout       the layout of the new array's elements
     * @param source              the segment to copy from
     * @param sourceElementLayout the layout of its elements
     * @param sourceOffset        where to start copying
     * @param elementCount        how many elements, not negative
     * @return the new array, holding the copied elements
     * @throws IllegalArgumentException as {@link #checkSource}
     * @throws IndexOutOfBoundsException when the elements do not lie inside the source
     * @throws IllegalStateException when the source's scope is closed
     * @throws WrongThreadException when the calling thread cannot access the source
     */
    public static MemorySegment allocateFrom(SegmentAllocator target, long byteSize, ValueLayout elementLayout,
                                             MemorySegment source, ValueLayout sourceElementLayout,
                                             long sourceOffset, long elementCount) {
        checkSource(elementLayout, source, sourceElementLayout, sourceOffset, elementCount);
        MemorySegment array = target.allocate(byteSize, elementLayout.byteAlignment());
        MemorySegment.copy(source, sourceElementLayout, sourceOffset, array, elementLayout, 0, elementCount);
        return array;
    }

    /**
     * Serves {@code allocateFrom(AddressLayout, MemorySegment)}: checks the value, then allocates and stores its
     * address.
     *
     * @param target the allocator
     * @param layout the address layout
     * @param value  the segment whose address is stored
     * @return the new segment, holding the address
     * @throws IllegalArgumentException when {@code value} is not a native segment
     */
    public static MemorySegment allocateFrom(SegmentAllocator target, AddressLayout layout, MemorySegment value) {
        checkAddress(layout, value);
        MemorySegment segment = target.allocate(layout);
        segment.set(layout, 0, value);
        return segment;
    }

    private static void checkAccessible(MemorySegment source) {
        if (!source.scope().isAlive()) {
            throw new IllegalStateException("Already closed: the source segment's scope is not alive");
        }
        if (!source.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException("Attempted access outside owning thread: the source segment is confined"
                    + " to another thread");
        }
    }
}
