package io.nebula.memory.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The kernels written with the Vector API: the only class of the runtime that links against
 * {@code jdk.incubator.vector}.
 *
 * <p>{@link KernelSelection} loads this class only after it found the module in the boot layer, so a program
 * started without {@code --add-modules jdk.incubator.vector} never resolves a Vector API type and gets neither an
 * error nor the JVM's incubator warning.
 *
 * <p>Every kernel expects checked arguments and a {@code length} of at least {@link #vectorByteSize()}: the last
 * vector is placed to end exactly at {@code offset + length}, overlapping its predecessor, which removes the
 * scalar tail loop. {@link MemoryKernels} guarantees both.
 */
final class VectorKernels {

    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    private static final int BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorKernels() {
    }

    /**
     * Returns the width of the preferred byte species on this platform.
     *
     * @return the width in bits, 64 to 2048
     */
    static int preferredBitSize() {
        return SPECIES.vectorBitSize();
    }

    /**
     * Returns the bytes one vector of the preferred species covers.
     *
     * @return {@link #preferredBitSize()} / 8
     */
    static int vectorByteSize() {
        return BYTES;
    }

    /**
     * Sets {@code length} bytes of {@code segment} from {@code offset} to {@code value}.
     *
     * @param segment a writable segment, checked by the caller
     * @param offset  the first byte, checked by the caller
     * @param length  the bytes to set, at least {@link #vectorByteSize()}
     * @param value   the byte to store
     */
    static void fill(MemorySegment segment, long offset, long length, byte value) {
        ByteVector v = ByteVector.broadcast(SPECIES, value);
        long last = offset + length - BYTES;
        for (long i = offset; i < last; i += BYTES) {
            v.intoMemorySegment(segment, i, ORDER);
        }
        v.intoMemorySegment(segment, last, ORDER);
    }

    /**
     * Finds the first index at which the two ranges differ.
     *
     * @param a       the first segment, checked by the caller
     * @param aOffset the first byte of the first range
     * @param b       the second segment, checked by the caller
     * @param bOffset the first byte of the second range
     * @param length  the bytes to compare, at least {@link #vectorByteSize()}
     * @return the index relative to the offsets of the first differing byte, or {@code -1}
     */
    static long mismatch(MemorySegment a, long aOffset, MemorySegment b, long bOffset, long length) {
        long last = length - BYTES;
        for (long i = 0; i < last; i += BYTES) {
            VectorMask<Byte> differ = ByteVector.fromMemorySegment(SPECIES, a, aOffset + i, ORDER)
                    .compare(VectorOperators.NE, ByteVector.fromMemorySegment(SPECIES, b, bOffset + i, ORDER));
            if (differ.anyTrue()) {
                return i + differ.firstTrue();
            }
        }
        VectorMask<Byte> differ = ByteVector.fromMemorySegment(SPECIES, a, aOffset + last, ORDER)
                .compare(VectorOperators.NE, ByteVector.fromMemorySegment(SPECIES, b, bOffset + last, ORDER));
        return differ.anyTrue() ? last + differ.firstTrue() : -1;
    }
}
