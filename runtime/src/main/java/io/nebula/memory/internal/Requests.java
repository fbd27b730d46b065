package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;

/** Validation of allocation requests, shared by the allocators. Hot checks inline; throwing is kept out of line. */
public final class Requests {

    private Requests() {
    }

    /**
     * Tells whether {@code alignment} is a positive power of two.
     *
     * @param alignment an alignment in bytes
     * @return {@code true} when valid
     */
    public static boolean isPowerOfTwo(long alignment) {
        return alignment > 0 && (alignment & (alignment - 1)) == 0;
    }

    /**
     * Rounds {@code value} up to a multiple of {@code alignment}, a power of two.
     *
     * @param value     a non-negative value
     * @param alignment a power of two
     * @return the smallest multiple of {@code alignment} not below {@code value}
     */
    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * Builds the error for a size or alignment that no allocator could serve, or returns {@code null} when both
     * are valid.
     *
     * @param allocator the allocator's description
     * @param byteSize  the requested size
     * @param alignment the requested alignment
     * @param available bytes available
     * @param used      bytes used
     * @return the error to throw, or {@code null}
     */
    public static AllocationException invalidRequest(String allocator, long byteSize, long alignment,
                                                     long available, long used) {
        if (byteSize < 0) {
            return Failure.of(ErrorCode.INVALID_SIZE)
                    .allocator(allocator).request(byteSize, alignment).memory(available, used)
                    .details("the size is negative: " + byteSize + " bytes")
                    .suggest("Pass a size of zero or more bytes; check the arithmetic that computed " + byteSize + ".")
                    .build();
        }
        if (!isPowerOfTwo(alignment)) {
            long lower = alignment > 0 ? Long.highestOneBit(alignment) : 1;
            return Failure.of(ErrorCode.INVALID_ALIGNMENT)
                    .allocator(allocator).request(byteSize, alignment).memory(available, used)
                    .details("the alignment " + alignment + " is not a positive power of two")
                    .suggest("Use a power of two such as " + lower
                            + (lower < (1L << 62) ? " or " + (lower << 1) : "") + ".")
                    .suggest("Take the alignment from a layout: layout.byteAlignment().")
                    .build();
        }
        return null;
    }
}
