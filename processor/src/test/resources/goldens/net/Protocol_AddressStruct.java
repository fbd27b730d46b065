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
 * <p>A {@link View} reads and writes the fields of one struct: a getter and a setter named as each
 * field, those of an array field with the element {@code index}, from 0 to its length - 1. They
 * check no more than the segment does: an access outside the segment throws
 * {@link IndexOutOfBoundsException}, an array index outside the array throws it before any access.
 * They allocate nothing, but for the new view of an element of an array of structs. The static methods
 * take the {@code segment} holding a struct and the struct's {@code offset} in it, in bytes.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
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

    private static byte[] readOctets(MemorySegment segment, long offset) {
        byte[] values = new byte[LENGTH_OCTETS];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + OFFSET_OCTETS, values, 0, LENGTH_OCTETS);
        return values;
    }

    private static void writeOctets(MemorySegment segment, long offset, byte[] values) {
        MemorySegment.copy(values, 0, segment, ValueLayout.JAVA_BYTE, offset + OFFSET_OCTETS, LENGTH_OCTETS);
    }

    /**
     * {@return a new {@link Protocol.Address} of the struct's values, with new arrays}
     * @param segment the segment holding the struct
     * @param offset the struct's offset in bytes
     */
    public static Protocol.Address read(MemorySegment segment, long offset) {
        return new Protocol.Address(
                readOctets(segment, offset),
                segment.get(SHORT, offset + OFFSET_PORT));
    }

    /**
     * Writes every field of {@code value}; padding is left as it is.
     * @param segment the segment holding the struct
     * @param offset the struct's offset in bytes
     * @param value the values to write
     * @throws IllegalArgumentException if an array's length is not its field's; nothing is written then
     */
    public static void write(MemorySegment segment, long offset, Protocol.Address value) {
        checkLength("octets", value.octets().length, LENGTH_OCTETS);
        writeOctets(segment, offset, value.octets());
        segment.set(SHORT, offset + OFFSET_PORT, value.port());
    }

    private static void checkLength(String field, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("Address." + field + " has " + actual + " elements, but the struct holds exactly " + expected + "; pass an array of that length");
        }
    }

    /**
     * {@return a view of a new struct, zeroed, padding included, whatever the allocator does}
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     */
    public static View allocate(SegmentAllocator allocator) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, 0L, 0);
        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4L, (short) 0);
        return new View(segment, 0L);
    }

    /**
     * {@return a view of a new struct holding {@code value}, padding zeroed: each byte written once}
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @param value the initial values of the fields
     */
    public static View allocate(SegmentAllocator allocator, Protocol.Address value) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        write(segment, 0L, value);
        return new View(segment, 0L);
    }

    /**
     * {@return a segment of {@code count} zeroed structs, element {@code i} at offset {@code i * SIZE}}
     * One view visits them all through {@link View#moveToElement(long)}.
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @param count the number of structs
     * @throws IllegalArgumentException if {@code count} is negative or the size overflows; the library's
     *     allocators throw {@code AllocationException} ({@code INVALID_SIZE}) instead
     */
    public static MemorySegment allocateArray(SegmentAllocator allocator, long count) {
        MemorySegment segment = allocator.allocate(LAYOUT, count);
        segment.fill((byte) 0);
        return segment;
    }

    /**
     * {@return a new view of the struct at offset 0}
     * @param segment the segment holding the struct
     */
    public static View view(MemorySegment segment) {
        return new View(segment, 0L);
    }

    /**
     * {@return a new view of the struct at {@code offset}}
     * @param segment the segment holding the struct
     * @param offset the struct's offset in bytes
     */
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
         * @param offset the struct's offset in bytes
         * @return this view
         */
        public View moveTo(long offset) {
            Objects.checkFromIndexSize(offset, SIZE, segment.byteSize());
            return at(offset);
        }

        /**
         * Moves this view to element {@code index} of an array of structs at offset 0, as allocated by
         * {@link Protocol_AddressStruct#allocateArray}; it is not moved if the element lies outside the segment.
         * @param index the element index
         * @return this view
         */
        public View moveToElement(long index) {
            Objects.checkIndex(index, segment.byteSize() / SIZE);
            return at(index * SIZE);
        }

        private View at(long offset) {
            this.offset = offset;
            return this;
        }

        /**
         * {@return element {@code index} of {@code octets}}
         * @param index the element index
         */
        public byte octets(long index) {
            return segment.get(ValueLayout.JAVA_BYTE, offset + OFFSET_OCTETS + Objects.checkIndex(index, LENGTH_OCTETS));
        }

        /**
         * {@return this view, after writing {@code value} to element {@code index} of {@code octets}}
         * @param index the element index
         * @param value the new value
         */
        public View octets(long index, byte value) {
            segment.set(ValueLayout.JAVA_BYTE, offset + OFFSET_OCTETS + Objects.checkIndex(index, LENGTH_OCTETS), value);
            return this;
        }

        /** {@return {@code port}} */
        public short port() {
            return segment.get(SHORT, offset + OFFSET_PORT);
        }

        /**
         * {@return this view, after writing {@code value} to {@code port}}
         * @param value the new value
         */
        public View port(short value) {
            segment.set(SHORT, offset + OFFSET_PORT, value);
            return this;
        }

        /** {@return a new {@link Protocol.Address} of the struct's values} */
        public Protocol.Address toRecord() {
            return read(segment, offset);
        }

        /**
         * Writes every field of {@code value}.
         * @param value the values to write
         * @return this view
         */
        public View set(Protocol.Address value) {
            write(segment, offset, value);
            return this;
        }
    }
}
