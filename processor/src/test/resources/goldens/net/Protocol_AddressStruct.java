package net;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import javax.annotation.processing.Generated;

/**
 * The native layout of {@link Protocol.Address} and typed access to it.
 *
 * <pre>
 *   offset    size  member
 *        0       4  octets: byte[4]
 *        4       2  port: short
 * </pre>
 * 6 bytes, aligned to 1, packed, big-endian.
 *
 * <p>Two layers read and write single fields, and allocate nothing. The static methods take the
 * {@code segment} holding a struct and the struct's {@code offset} in it, in bytes: {@code get<Field>}
 * and {@code set<Field>} per primitive field, and {@code offsetOf<Field>(index)}, an element's offset
 * in the struct, per array field. A {@link View}, a flyweight that a loop moves from struct to struct,
 * has a getter and a setter named as each field; its setters, {@code set} and {@code moveTo} methods
 * return the view itself. The accessors of an array field take the element {@code index}, from 0 to its
 * length - 1, and check it before any access; beyond that they check no more than the segment does: an
 * access outside it throws {@link IndexOutOfBoundsException}. A setter's {@code value} is the field's
 * new value; the {@code value} of {@code write}, {@code allocate} and the view's {@code set} is a record
 * whose every field is written. {@code allocate} and {@code allocateArray} take any {@code allocator}:
 * an arena, a slicing allocator, a pool. Only the view of an element of an array of structs is a new
 * object.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
@SuppressWarnings("doclint:missing")
public final class Protocol_AddressStruct {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The layout, with every field and padding named. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("octets"),
            SHORT.withName("port"));

    /** The size in bytes, padding included. */
    public static final long SIZE = 6L;

    /** The alignment in bytes. */
    public static final long ALIGNMENT = 1L;

    /** The offset of {@code octets} in bytes. */
    public static final long OFFSET_OCTETS = 0L;

    /** The offset of {@code port} in bytes. */
    public static final long OFFSET_PORT = 4L;

    /** The number of elements of {@code octets}. */
    public static final int LENGTH_OCTETS = 4;

    private Protocol_AddressStruct() {
    }

    /** {@return the offset of element {@code index} of {@code octets} in the struct} */
    public static long offsetOfOctets(long index) {
        return OFFSET_OCTETS + Objects.checkIndex(index, LENGTH_OCTETS);
    }

    /** {@return element {@code index} of {@code octets}, {@code byte[4]} at offset 0} */
    public static byte getOctets(MemorySegment segment, long offset, long index) {
        return segment.get(ValueLayout.JAVA_BYTE, offset + OFFSET_OCTETS + Objects.checkIndex(index, LENGTH_OCTETS));
    }

    /** Writes element {@code index} of {@code octets}, {@code byte[4]} at offset 0. */
    public static void setOctets(MemorySegment segment, long offset, long index, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, offset + OFFSET_OCTETS + Objects.checkIndex(index, LENGTH_OCTETS), value);
    }

    /** {@return {@code port}, {@code short} at offset 4} */
    public static short getPort(MemorySegment segment, long offset) {
        return segment.get(SHORT, offset + OFFSET_PORT);
    }

    /** Writes {@code port}, {@code short} at offset 4. */
    public static void setPort(MemorySegment segment, long offset, short value) {
        segment.set(SHORT, offset + OFFSET_PORT, value);
    }

    /** {@return a new {@link Protocol.Address} of the struct's values, with new arrays} */
    public static Protocol.Address read(MemorySegment segment, long offset) {
        return new Protocol.Address(
                segment.asSlice(offset + OFFSET_OCTETS, LENGTH_OCTETS).toArray(ValueLayout.JAVA_BYTE),
                getPort(segment, offset));
    }

    /**
     * Writes every field of {@code value}; padding is left as it is.
     * @throws IllegalArgumentException if an array's length is not its field's; nothing is written then
     */
    public static void write(MemorySegment segment, long offset, Protocol.Address value) {
        checkLength("octets", value.octets().length, LENGTH_OCTETS);
        MemorySegment.copy(value.octets(), 0, segment, ValueLayout.JAVA_BYTE, offset + OFFSET_OCTETS, LENGTH_OCTETS);
        setPort(segment, offset, value.port());
    }

    private static void checkLength(String field, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("Address." + field + " has " + actual + " elements, but the struct holds exactly " + expected + "; pass an array of that length");
        }
    }

    /** {@return a view of a new struct, zeroed, padding included, whatever the allocator does} */
    public static View allocate(SegmentAllocator allocator) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, 0L, 0);
        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4L, (short) 0);
        return new View(segment, 0L);
    }

    /** {@return a view of a new struct holding {@code value}, padding zeroed: each byte written once} */
    public static View allocate(SegmentAllocator allocator, Protocol.Address value) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        write(segment, 0L, value);
        return new View(segment, 0L);
    }

    /**
     * {@return a segment of {@code count} zeroed structs, element {@code i} at offset {@code i * SIZE}}
     * One view visits them all through {@link View#moveToElement(long)}.
     * @throws IllegalArgumentException if {@code count} is negative or the size overflows; the library's
     *     allocators throw {@code AllocationException} ({@code INVALID_SIZE}) instead
     */
    public static MemorySegment allocateArray(SegmentAllocator allocator, long count) {
        MemorySegment segment = allocator.allocate(LAYOUT, count);
        segment.fill((byte) 0);
        return segment;
    }

    /** {@return a new view of the struct at offset 0} */
    public static View view(MemorySegment segment) {
        return new View(segment, 0L);
    }

    /** {@return a new view of the struct at {@code offset}} */
    public static View view(MemorySegment segment, long offset) {
        return new View(segment, offset);
    }

    /**
     * A flyweight view of one {@link Protocol.Address} struct in a segment, allocating nothing. A view can be moved
     * to another offset, so that one view visits every element of an array of structs. Views are not
     * thread-safe; the segment decides which threads may access the memory.
     */
    public static final class View {
        private final MemorySegment segment;

        private long offset;

        private View(MemorySegment segment, long offset) {
            Objects.checkFromIndexSize(offset, SIZE, segment.byteSize());
            this.segment = segment;
            this.offset = offset;
        }

        /** {@return the segment this view reads and writes} */
        public MemorySegment segment() {
            return segment;
        }

        /** {@return the offset of the struct in the segment, in bytes} */
        public long offset() {
            return offset;
        }

        /**
         * Moves this view, and its nested structs' views, to the struct at {@code offset}; it is not
         * moved if the struct lies outside the segment.
         */
        public View moveTo(long offset) {
            Objects.checkFromIndexSize(offset, SIZE, segment.byteSize());
            return at(offset);
        }

        /**
         * Moves this view to element {@code index} of an array of structs at offset 0, as allocated by
         * {@link Protocol_AddressStruct#allocateArray}; it is not moved if the element lies outside the segment.
         */
        public View moveToElement(long index) {
            Objects.checkIndex(index, segment.byteSize() / SIZE);
            return at(index * SIZE);
        }

        private View at(long offset) {
            this.offset = offset;
            return this;
        }

        /** {@return element {@code index} of {@code octets}} */
        public byte octets(long index) {
            return Protocol_AddressStruct.getOctets(segment, offset, index);
        }

        /** {@return this view, after writing {@code value} to element {@code index} of {@code octets}} */
        public View octets(long index, byte value) {
            Protocol_AddressStruct.setOctets(segment, offset, index, value);
            return this;
        }

        /** {@return {@code port}} */
        public short port() {
            return Protocol_AddressStruct.getPort(segment, offset);
        }

        /** {@return this view, after writing {@code value} to {@code port}} */
        public View port(short value) {
            Protocol_AddressStruct.setPort(segment, offset, value);
            return this;
        }

        /** {@return a new {@link Protocol.Address} of the struct's values} */
        public Protocol.Address toRecord() {
            return read(segment, offset);
        }

        /** Writes every field of {@code value}. */
        public View set(Protocol.Address value) {
            write(segment, offset, value);
            return this;
        }
    }
}
