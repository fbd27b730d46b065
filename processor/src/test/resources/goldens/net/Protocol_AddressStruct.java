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
 * <p>Static accessors read and write a struct at an offset in a segment and allocate nothing;
 * a {@link View} does the same through getters and setters. Neither checks more than the
 * segment does: an access outside the segment throws {@link IndexOutOfBoundsException},
 * an array index outside the array throws it before any access.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
public final class Protocol_AddressStruct {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * The layout of {@link Protocol.Address}, with every field and padding named.
     */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("octets"),
            SHORT.withName("port"));

    /**
     * The size of {@link Protocol.Address} in bytes, padding included.
     */
    public static final long SIZE = 6L;

    /**
     * The alignment of {@link Protocol.Address} in bytes.
     */
    public static final long ALIGNMENT = 1L;

    /**
     * The offset of {@code octets} from the start of the struct, in bytes.
     */
    public static final long OFFSET_OCTETS = 0L;

    /**
     * The offset of {@code port} from the start of the struct, in bytes.
     */
    public static final long OFFSET_PORT = 4L;

    /**
     * The number of elements of {@code octets}.
     */
    public static final int LENGTH_OCTETS = 4;

    private Protocol_AddressStruct() {
    }

    /**
     * The offset of element {@code index} of {@code octets} from the start of the struct.
     *
     * @param index the element index, from 0 to {@link #LENGTH_OCTETS} - 1
     * @return the offset in bytes
     * @throws IndexOutOfBoundsException if {@code index} is out of bounds
     */
    public static long offsetOfOctets(long index) {
        return OFFSET_OCTETS + Objects.checkIndex(index, LENGTH_OCTETS);
    }

    /**
     * Reads element {@code index} of {@code octets} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param index the element index, from 0 to {@link #LENGTH_OCTETS} - 1
     * @return the value
     * @throws IndexOutOfBoundsException if {@code index} is out of bounds or the field lies outside {@code segment}
     */
    public static byte getOctets(MemorySegment segment, long offset, long index) {
        return segment.get(ValueLayout.JAVA_BYTE, offset + offsetOfOctets(index));
    }

    /**
     * Writes element {@code index} of {@code octets} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param index the element index, from 0 to {@link #LENGTH_OCTETS} - 1
     * @param value the new value
     * @throws IndexOutOfBoundsException if {@code index} is out of bounds or the field lies outside {@code segment}
     */
    public static void setOctets(MemorySegment segment, long offset, long index, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, offset + offsetOfOctets(index), value);
    }

    /**
     * Reads {@code port} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return the value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static short getPort(MemorySegment segment, long offset) {
        return segment.get(SHORT, offset + OFFSET_PORT);
    }

    /**
     * Writes {@code port} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the new value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static void setPort(MemorySegment segment, long offset, short value) {
        segment.set(SHORT, offset + OFFSET_PORT, value);
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
     * Reads the struct at {@code offset} into a new {@link Protocol.Address}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return a record holding the values of every field, with new arrays
     * @throws IndexOutOfBoundsException if the struct lies outside {@code segment}
     */
    public static Protocol.Address read(MemorySegment segment, long offset) {
        return new Protocol.Address(
                readOctets(segment, offset),
                getPort(segment, offset));
    }

    /**
     * Writes every field of {@code value} into the struct at {@code offset}; padding is left as it is.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the values to write
     * @throws IndexOutOfBoundsException if the struct lies outside {@code segment}
     * @throws IllegalArgumentException if an array of {@code value} does not have the length of its field;
     *     nothing of this struct is written then
     */
    public static void write(MemorySegment segment, long offset, Protocol.Address value) {
        checkLength("octets", value.octets().length, LENGTH_OCTETS);
        writeOctets(segment, offset, value.octets());
        setPort(segment, offset, value.port());
    }

    private static void checkLength(String field, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("Address." + field + " has " + actual + " elements, but the struct holds exactly " + expected + "; pass an array of that length");
        }
    }

    /**
     * Allocates one struct through {@code allocator} and zeroes all of it, padding included,
     * whether or not the allocator zeroes memory.
     *
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @return a view of the new struct, at offset 0 of a segment of {@link #SIZE} bytes
     */
    public static View allocate(SegmentAllocator allocator) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, 0L, 0);
        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4L, (short) 0);
        return new View(segment, 0L);
    }

    /**
     * Allocates one struct through {@code allocator} and writes {@code value} into it, zeroing
     * the padding: each byte is written once.
     *
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @param value the initial values of the fields
     * @return a view of the new struct, at offset 0 of a segment of {@link #SIZE} bytes
     * @see #write(MemorySegment, long, Protocol.Address)
     */
    public static View allocate(SegmentAllocator allocator, Protocol.Address value) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        write(segment, 0L, value);
        return new View(segment, 0L);
    }

    /**
     * Allocates {@code count} consecutive structs through {@code allocator} and zeroes them.
     * Element {@code i} is at offset {@code i * SIZE}; one view visits them all through
     * {@link View#moveToElement(long)}.
     *
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @param count the number of structs, at least 0
     * @return a segment of {@code count * SIZE} bytes, aligned to {@link #ALIGNMENT}
     * @throws IllegalArgumentException if {@code count} is negative or the size overflows
     */
    public static MemorySegment allocateArray(SegmentAllocator allocator, long count) {
        MemorySegment segment = allocator.allocate(LAYOUT, count);
        segment.fill((byte) 0);
        return segment;
    }

    /**
     * A view of the struct at the start of {@code segment}.
     *
     * @param segment the memory holding the struct
     * @return a new view at offset 0
     * @throws IndexOutOfBoundsException if {@code segment} is smaller than {@link #SIZE}
     */
    public static View view(MemorySegment segment) {
        return new View(segment, 0L);
    }

    /**
     * A view of the struct at {@code offset} in {@code segment}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return a new view
     * @throws IndexOutOfBoundsException if the struct lies outside {@code segment}
     */
    public static View view(MemorySegment segment, long offset) {
        return new View(segment, offset);
    }

    /**
     * A flyweight view of one {@link Protocol.Address} struct in a segment: getters and setters over the static
     * accessors, allocating nothing. A view can be moved to another offset, so that one view visits
     * every element of an array of structs. Views are not thread-safe; the segment decides which
     * threads may access the memory.
     */
    public static final class View {
        private final MemorySegment segment;

        private long offset;

        private View(MemorySegment segment, long offset) {
            Objects.checkFromIndexSize(offset, SIZE, segment.byteSize());
            this.segment = segment;
            this.offset = offset;
        }

        /**
         * The segment this view reads and writes.
         *
         * @return the segment
         */
        public MemorySegment segment() {
            return segment;
        }

        /**
         * The offset of the struct in the segment.
         *
         * @return the offset in bytes
         */
        public long offset() {
            return offset;
        }

        /**
         * Moves this view, and the views of its nested structs, to the struct at {@code offset}.
         *
         * @param offset the offset of the struct in the segment, in bytes
         * @return this view
         * @throws IndexOutOfBoundsException if the struct lies outside the segment; the view is not moved then
         */
        public View moveTo(long offset) {
            Objects.checkFromIndexSize(offset, SIZE, segment.byteSize());
            return at(offset);
        }

        /**
         * Moves this view to element {@code index} of an array of structs that starts at offset 0 of the
         * segment, as allocated by {@link Protocol_AddressStruct#allocateArray}.
         *
         * @param index the element index
         * @return this view
         * @throws IndexOutOfBoundsException if {@code index} is negative or the element lies outside
         * the segment; the view is not moved then
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
         * Reads element {@code index} of {@code octets}.
         *
         * @param index the element index, from 0 to {@link Protocol_AddressStruct#LENGTH_OCTETS} - 1
         * @return the value
         * @throws IndexOutOfBoundsException if {@code index} is out of bounds
         */
        public byte octets(long index) {
            return getOctets(segment, offset, index);
        }

        /**
         * Writes element {@code index} of {@code octets}.
         *
         * @param index the element index, from 0 to {@link Protocol_AddressStruct#LENGTH_OCTETS} - 1
         * @param value the new value
         * @return this view
         * @throws IndexOutOfBoundsException if {@code index} is out of bounds
         */
        public View octets(long index, byte value) {
            setOctets(segment, offset, index, value);
            return this;
        }

        /**
         * Reads {@code port}.
         *
         * @return the value
         */
        public short port() {
            return getPort(segment, offset);
        }

        /**
         * Writes {@code port}.
         *
         * @param value the new value
         * @return this view
         */
        public View port(short value) {
            setPort(segment, offset, value);
            return this;
        }

        /**
         * Reads the struct into a new {@link Protocol.Address}.
         *
         * @return a record holding the values of every field
         */
        public Protocol.Address toRecord() {
            return read(segment, offset);
        }

        /**
         * Writes every field of {@code value} into the struct.
         *
         * @param value the values to write
         * @return this view
         * @see Protocol_AddressStruct#write(MemorySegment, long, Protocol.Address)
         */
        public View set(Protocol.Address value) {
            write(segment, offset, value);
            return this;
        }
    }
}
