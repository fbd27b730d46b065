package io.nebula.memory.simd;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Copy, fill and compare over ranges of {@link MemorySegment}s, on the fastest implementation this JVM offers.
 *
 * <pre>{@code
 * MemoryKernels.fill(segment, 0, segment.byteSize(), (byte) 0);          // zero a block
 * MemoryKernels.copy(src, 0, dst, 64, 256);                              // memmove semantics
 * long at = MemoryKernels.mismatch(a, 0, b, 0, 4096);                   // first differing byte, or -1
 * System.out.println(MemoryKernels.description());                      // which variant, and why
 * }</pre>
 *
 * <h2>Variants</h2>
 * The {@link KernelVariant} is chosen once, when this class initialises, and never changes:
 * {@link KernelVariant#VECTOR} when {@code jdk.incubator.vector} is in the boot layer
 * ({@code --add-modules jdk.incubator.vector}), C2 compiles hot code (see {@code CompilerProbe}) and the preferred
 * byte species has at least 128 bits; {@link KernelVariant#BULK} otherwise. The system property
 * {@code -Dnebula.memory.kernels=vector|bulk|auto} forces a variant, for tests and benchmarks; {@code vector} is
 * honoured only when the module is present. Without the module no Vector API class is ever loaded, so the JVM
 * prints no incubator warning.
 *
 * <p>Within the Vector variant each operation still picks by size, from measurements: {@link #fill} uses the
 * Vector API from {@link #FILL_VECTOR_MIN_BYTES} bytes and {@link #mismatch} from
 * {@link #MISMATCH_VECTOR_MIN_BYTES} bytes (never below one vector); {@link #copy} always uses
 * {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}, which the Vector API does not beat.
 *
 * <h2>Costs and failures</h2>
 * Every method checks its arguments up front, before touching memory, so a failed call writes nothing: a
 * {@link NullPointerException} for a null segment, an {@link IndexOutOfBoundsException} naming the range and the
 * segment size for a negative offset or length or a range past the end, an {@link IllegalArgumentException} for a
 * read-only destination. Access to a closed segment throws {@link IllegalStateException}, from another thread
 * {@link WrongThreadException}, as the JDK does. The work is O(length); the dispatch is two compares folded by the
 * JIT.
 */
public final class MemoryKernels {

    /**
     * The smallest fill, in bytes, that the Vector variant sends to the Vector API; shorter fills use
     * {@link MemorySegment#fill(byte)}.
     */
    public static final long FILL_VECTOR_MIN_BYTES = 64;

    /**
     * The smallest comparison, in bytes, that the Vector variant sends to the Vector API; shorter ones use
     * {@link MemorySegment#mismatch(MemorySegment, long, long, MemorySegment, long, long)}.
     */
    public static final long MISMATCH_VECTOR_MIN_BYTES = 64;

    private static final KernelSelection SELECTION = KernelSelection.detect();

    /** Effective thresholds: {@link Long#MAX_VALUE} under the bulk variant, never below one vector. */
    private static final long FILL_FROM;
    private static final long MISMATCH_FROM;

    static {
        if (SELECTION.variant() == KernelVariant.VECTOR) {
            long vectorBytes = SELECTION.vectorBits() / 8;
            FILL_FROM = Math.max(FILL_VECTOR_MIN_BYTES, vectorBytes);
            MISMATCH_FROM = Math.max(MISMATCH_VECTOR_MIN_BYTES, vectorBytes);
        } else {
            FILL_FROM = Long.MAX_VALUE;
            MISMATCH_FROM = Long.MAX_VALUE;
        }
    }

    private MemoryKernels() {
    }

    /**
     * Returns the variant chosen for this JVM.
     *
     * @return the active variant, the same for the life of the JVM
     */
    public static KernelVariant activeVariant() {
        return SELECTION.variant();
    }

    /**
     * Describes the active variant for people: the variant, the species width, which operation uses what from
     * which size, and why this variant was chosen. For example
     * {@code "VECTOR (512-bit byte species): fill from 64 B, mismatch from 64 B, copy by MemorySegment.copy;
     * jdk.incubator.vector is in the boot layer, C2 is in use, the preferred species has 512 bits"}.
     *
     * @return a one-line description
     */
    public static String description() {
        if (SELECTION.variant() == KernelVariant.VECTOR) {
            return "VECTOR (" + SELECTION.vectorBits() + "-bit byte species): fill from " + FILL_FROM
                    + " B, mismatch from " + MISMATCH_FROM + " B, copy by MemorySegment.copy; " + SELECTION.reason();
        }
        return "BULK (JDK bulk operations): " + SELECTION.reason();
    }

    /**
     * Copies {@code length} bytes from {@code src} at {@code srcOffset} to {@code dst} at {@code dstOffset}. The
     * ranges may overlap, in the same or in aliasing segments: the destination then holds what the source held
     * before the call ({@code memmove} semantics, as {@link MemorySegment#copy(MemorySegment, long, MemorySegment,
     * long, long)}).
     *
     * @param src       the source segment
     * @param srcOffset the first source byte
     * @param dst       the destination segment
     * @param dstOffset the first destination byte
     * @param length    the bytes to copy, zero or more
     * @throws IndexOutOfBoundsException when an offset or {@code length} is negative, or a range passes the end of
     *     its segment
     * @throws IllegalArgumentException  when {@code dst} is read-only
     * @throws IllegalStateException     when the scope of {@code src} or {@code dst} is closed
     * @throws WrongThreadException      when the calling thread cannot access {@code src} or {@code dst}
     * @throws NullPointerException      when {@code src} or {@code dst} is {@code null}
     */
    public static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
        // The JDK checks both ranges and the destination's access mode before it writes anything, with the same
        // exception types; checking them here as well cost 3-8% at every size. Only a refused copy pays for the
        // precise message.
        try {
            MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | NullPointerException refused) {
            checkRange("copy", "source", src, srcOffset, length);
            checkWritableRange("copy", dst, dstOffset, length);
            throw refused;
        }
    }

    /**
     * Sets {@code length} bytes of {@code segment}, from {@code offset}, to {@code value}. The allocators' fill
     * pattern and zero-on-release go through here.
     *
     * @param segment the segment to write
     * @param offset  the first byte to set
     * @param length  the bytes to set, zero or more
     * @param value   the byte to store
     * @throws IndexOutOfBoundsException when {@code offset} or {@code length} is negative, or the range passes
     *     the end of {@code segment}
     * @throws IllegalArgumentException  when {@code segment} is read-only
     * @throws IllegalStateException     when the scope of {@code segment} is closed
     * @throws WrongThreadException      when the calling thread cannot access {@code segment}
     * @throws NullPointerException      when {@code segment} is {@code null}
     */
    public static void fill(MemorySegment segment, long offset, long length, byte value) {
        checkWritableRange("fill", segment, offset, length);
        if (length >= FILL_FROM) {
            VectorKernels.fill(segment, offset, length, value);
        } else {
            segment.asSlice(offset, length).fill(value);
        }
    }

    /**
     * Finds the first byte at which two ranges of equal length differ.
     *
     * @param a       the first segment
     * @param aOffset the first byte of the range in {@code a}
     * @param b       the second segment, which may be {@code a}
     * @param bOffset the first byte of the range in {@code b}
     * @param length  the bytes to compare, zero or more
     * @return the index, relative to the offsets, of the first differing byte in {@code [0, length)}, or
     *     {@code -1} when the ranges are equal
     * @throws IndexOutOfBoundsException when an offset or {@code length} is negative, or a range passes the end of
     *     its segment
     * @throws IllegalStateException     when the scope of {@code a} or {@code b} is closed
     * @throws WrongThreadException      when the calling thread cannot access {@code a} or {@code b}
     * @throws NullPointerException      when {@code a} or {@code b} is {@code null}
     */
    public static long mismatch(MemorySegment a, long aOffset, MemorySegment b, long bOffset, long length) {
        checkRange("mismatch", "first", a, aOffset, length);
        checkRange("mismatch", "second", b, bOffset, length);
        if (length >= MISMATCH_FROM) {
            return VectorKernels.mismatch(a, aOffset, b, bOffset, length);
        }
        return MemorySegment.mismatch(a, aOffset, aOffset + length, b, bOffset, bOffset + length);
    }

    /**
     * Tells whether two ranges of equal length hold the same bytes; {@code mismatch(...) == -1}.
     *
     * @param a       the first segment
     * @param aOffset the first byte of the range in {@code a}
     * @param b       the second segment, which may be {@code a}
     * @param bOffset the first byte of the range in {@code b}
     * @param length  the bytes to compare, zero or more
     * @return {@code true} when every byte is equal; always {@code true} when {@code length} is zero
     * @throws IndexOutOfBoundsException when an offset or {@code length} is negative, or a range passes the end of
     *     its segment
     * @throws IllegalStateException     when the scope of {@code a} or {@code b} is closed
     * @throws WrongThreadException      when the calling thread cannot access {@code a} or {@code b}
     * @throws NullPointerException      when {@code a} or {@code b} is {@code null}
     */
    public static boolean equals(MemorySegment a, long aOffset, MemorySegment b, long bOffset, long length) {
        return mismatch(a, aOffset, b, bOffset, length) == -1;
    }

    private static void checkWritableRange(String operation, MemorySegment segment, long offset, long length) {
        checkRange(operation, "destination", segment, offset, length);
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException(operation + ": the destination segment is read-only; pass a "
                    + "writable segment, not one from asReadOnly() or a read-only mapping");
        }
    }

    private static void checkRange(String operation, String role, MemorySegment segment, long offset,
                                   long length) {
        Objects.requireNonNull(segment, role);
        long size = segment.byteSize();
        if ((offset | length) < 0 || offset > size - length) {
            throw outOfBounds(operation, role, size, offset, length);
        }
    }

    private static IndexOutOfBoundsException outOfBounds(String operation, String role, long size, long offset,
                                                         long length) {
        String problem;
        if (offset < 0) {
            problem = "the offset is negative";
        } else if (length < 0) {
            problem = "the length is negative";
        } else if (offset > size) {
            problem = "the offset is past the end";
        } else {
            long excess = length - (size - offset);
            problem = "the range passes the end by " + excess + (excess == 1 ? " byte" : " bytes");
        }
        return new IndexOutOfBoundsException(operation + ": " + role + " range [" + offset + ", " + offset + " + "
                + length + ") is out of bounds for a segment of " + size + " bytes: " + problem);
    }
}
