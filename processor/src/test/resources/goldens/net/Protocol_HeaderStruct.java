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
 * The native layout of {@link Protocol.Header} and typed access to it.
 *
 * <pre>
 *   offset    size  member
 *        0       1  version: byte
 *        1       4  length: int
 *        5       6  source: Address
 *       11       4  tag: char[2]
 *       15       1  last: boolean
 * </pre>
 * 16 bytes, aligned to 1, packed, big-endian.
 *
 * <p>Static accessors read and write a struct at an offset in a segment and allocate nothing;
 * a {@link View} does the same through getters and setters. Neither checks more than the
 * segment does: an access outside the segment throws {@link IndexOutOfBoundsException},
 * an array index outside the array throws it before any access.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
public final class Protocol_HeaderStruct {
    private static final ValueLayout.OfChar CHAR = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * The layout of {@link Protocol.Header}, with every field and padding named.
     */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("version"),
            INT.withName("length"),
            Protocol_AddressStruct.LAYOUT.withName("source"),
            MemoryLayout.sequenceLayout(2, CHAR).withName("tag"),
            ValueLayout.JAVA_BOOLEAN.withName("last"));

    /**
     * The size of {@link Protocol.Header} in bytes, padding included.
     */
    public static final long SIZE = 16L;

    /**
     * The alignment of {@link Protocol.Header} in bytes.
     */
    public static final long ALIGNMENT = 1L;

    /**
     * The offset of {@code version} from the start of the struct, in bytes.
     */
    public static final long OFFSET_VERSION = 0L;

    /**
     * The offset of {@code length} from the start of the struct, in bytes.
     */
    public static final long OFFSET_LENGTH = 1L;

    /**
     * The offset of {@code source} from the start of the struct, in bytes.
     */
    public static final long OFFSET_SOURCE = 5L;

    /**
     * The offset of {@code tag} from the start of the struct, in bytes.
     */
    public static final long OFFSET_TAG = 11L;

    /**
     * The offset of {@code last} from the start of the struct, in bytes.
     */
    public static final long OFFSET_LAST = 15L;

    /**
     * The number of elements of {@code tag}.
     */
    public static final int LENGTH_TAG = 2;

    private Protocol_HeaderStruct() {
    }

    /**
     * Reads {@code version} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return the value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static byte getVersion(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION);
    }

    /**
     * Writes {@code version} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the new value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static void setVersion(MemorySegment segment, long offset, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION, value);
    }

    /**
     * Reads {@code length} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return the value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static int getLength(MemorySegment segment, long offset) {
        return segment.get(INT, offset + OFFSET_LENGTH);
    }

    /**
     * Writes {@code length} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the new value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static void setLength(MemorySegment segment, long offset, int value) {
        segment.set(INT, offset + OFFSET_LENGTH, value);
    }

    /**
     * The offset of element {@code index} of {@code tag} from the start of the struct.
     *
     * @param index the element index, from 0 to {@link #LENGTH_TAG} - 1
     * @return the offset in bytes
     * @throws IndexOutOfBoundsException if {@code index} is out of bounds
     */
    public static long offsetOfTag(long index) {
        return OFFSET_TAG + Objects.checkIndex(index, LENGTH_TAG) * 2L;
    }

    /**
     * Reads element {@code index} of {@code tag} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param index the element index, from 0 to {@link #LENGTH_TAG} - 1
     * @return the value
     * @throws IndexOutOfBoundsException if {@code index} is out of bounds or the field lies outside {@code segment}
     */
    public static char getTag(MemorySegment segment, long offset, long index) {
        return segment.get(CHAR, offset + offsetOfTag(index));
    }

    /**
     * Writes element {@code index} of {@code tag} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param index the element index, from 0 to {@link #LENGTH_TAG} - 1
     * @param value the new value
     * @throws IndexOutOfBoundsException if {@code index} is out of bounds or the field lies outside {@code segment}
     */
    public static void setTag(MemorySegment segment, long offset, long index, char value) {
        segment.set(CHAR, offset + offsetOfTag(index), value);
    }

    /**
     * Reads {@code last} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return the value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static boolean getLast(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST);
    }

    /**
     * Writes {@code last} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the new value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static void setLast(MemorySegment segment, long offset, boolean value) {
        segment.set(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST, value);
    }

    private static char[] readTag(MemorySegment segment, long offset) {
        char[] values = new char[LENGTH_TAG];
        MemorySegment.copy(segment, CHAR, offset + OFFSET_TAG, values, 0, LENGTH_TAG);
        return values;
    }

    private static void writeTag(MemorySegment segment, long offset, char[] values) {
        MemorySegment.copy(values, 0, segment, CHAR, offset + OFFSET_TAG, LENGTH_TAG);
    }

    /**
     * Reads the struct at {@code offset} into a new {@link Protocol.Header}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return a record holding the values of every field, with new arrays
     * @throws IndexOutOfBoundsException if the struct lies outside {@code segment}
     */
    public static Protocol.Header read(MemorySegment segment, long offset) {
        return new Protocol.Header(
                getVersion(segment, offset),
                getLength(segment, offset),
                Protocol_AddressStruct.read(segment, offset + OFFSET_SOURCE),
                readTag(segment, offset),
                getLast(segment, offset));
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
    public static void write(MemorySegment segment, long offset, Protocol.Header value) {
        checkLength("tag", value.tag().length, LENGTH_TAG);
        setVersion(segment, offset, value.version());
        setLength(segment, offset, value.length());
        Protocol_AddressStruct.write(segment, offset + OFFSET_SOURCE, value.source());
        writeTag(segment, offset, value.tag());
        setLast(segment, offset, value.last());
    }

    private static void checkLength(String field, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("Header." + field + " has " + actual + " elements, but the struct holds exactly " + expected + "; pass an array of that length");
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
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 0L, 0L);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L, 0L);
        return new View(segment, 0L);
    }

    /**
     * Allocates one struct through {@code allocator}, zeroes it (the padding of nested structs
     * included) and writes {@code value} into it.
     *
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @param value the initial values of the fields
     * @return a view of the new struct, at offset 0 of a segment of {@link #SIZE} bytes
     * @see #write(MemorySegment, long, Protocol.Header)
     */
    public static View allocate(SegmentAllocator allocator, Protocol.Header value) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 0L, 0L);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L, 0L);
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
     * A flyweight view of one {@link Protocol.Header} struct in a segment: getters and setters over the static
     * accessors, allocating nothing. A view can be moved to another offset, so that one view visits
     * every element of an array of structs. Views are not thread-safe; the segment decides which
     * threads may access the memory.
     */
    public static final class View {
        private final MemorySegment segment;

        private long offset;

        private final Protocol_AddressStruct.View source;

        private View(MemorySegment segment, long offset) {
            Objects.checkFromIndexSize(offset, SIZE, segment.byteSize());
            this.segment = segment;
            this.offset = offset;
            this.source = Protocol_AddressStruct.view(segment, offset + OFFSET_SOURCE);
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
         * segment, as allocated by {@link Protocol_HeaderStruct#allocateArray}.
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
            source.moveTo(offset + OFFSET_SOURCE);
            return this;
        }

        /**
         * Reads {@code version}.
         *
         * @return the value
         */
        public byte version() {
            return getVersion(segment, offset);
        }

        /**
         * Writes {@code version}.
         *
         * @param value the new value
         * @return this view
         */
        public View version(byte value) {
            setVersion(segment, offset, value);
            return this;
        }

        /**
         * Reads {@code length}.
         *
         * @return the value
         */
        public int length() {
            return getLength(segment, offset);
        }

        /**
         * Writes {@code length}.
         *
         * @param value the new value
         * @return this view
         */
        public View length(int value) {
            setLength(segment, offset, value);
            return this;
        }

        /**
         * The view of the nested struct {@code source}; it belongs to this view and moves with it.
         *
         * @return the view of {@code source}
         */
        public Protocol_AddressStruct.View source() {
            return source;
        }

        /**
         * Writes every field of the nested struct {@code source}.
         *
         * @param value the new value
         * @return this view
         */
        public View source(Protocol.Address value) {
            Protocol_AddressStruct.write(segment, offset + OFFSET_SOURCE, value);
            return this;
        }

        /**
         * Reads element {@code index} of {@code tag}.
         *
         * @param index the element index, from 0 to {@link Protocol_HeaderStruct#LENGTH_TAG} - 1
         * @return the value
         * @throws IndexOutOfBoundsException if {@code index} is out of bounds
         */
        public char tag(long index) {
            return getTag(segment, offset, index);
        }

        /**
         * Writes element {@code index} of {@code tag}.
         *
         * @param index the element index, from 0 to {@link Protocol_HeaderStruct#LENGTH_TAG} - 1
         * @param value the new value
         * @return this view
         * @throws IndexOutOfBoundsException if {@code index} is out of bounds
         */
        public View tag(long index, char value) {
            setTag(segment, offset, index, value);
            return this;
        }

        /**
         * Reads {@code last}.
         *
         * @return the value
         */
        public boolean last() {
            return getLast(segment, offset);
        }

        /**
         * Writes {@code last}.
         *
         * @param value the new value
         * @return this view
         */
        public View last(boolean value) {
            setLast(segment, offset, value);
            return this;
        }

        /**
         * Reads the struct into a new {@link Protocol.Header}.
         *
         * @return a record holding the values of every field
         */
        public Protocol.Header toRecord() {
            return read(segment, offset);
        }

        /**
         * Writes every field of {@code value} into the struct.
         *
         * @param value the values to write
         * @return this view
         * @see Protocol_HeaderStruct#write(MemorySegment, long, Protocol.Header)
         */
        public View set(Protocol.Header value) {
            write(segment, offset, value);
            return this;
        }
    }
}
