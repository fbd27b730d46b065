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
 * <p>A {@link View} reads and writes the fields of one struct: a getter and a setter named as each
 * field, those of an array field with the element {@code index}, from 0 to its length - 1. They
 * check no more than the segment does: an access outside the segment throws
 * {@link IndexOutOfBoundsException}, an array index outside the array throws it before any access.
 * They allocate nothing, but for the new view of an element of an array of structs. The static methods
 * take the {@code segment} holding a struct and the struct's {@code offset} in it, in bytes.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
public final class Protocol_HeaderStruct {
    private static final ValueLayout.OfChar CHAR = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The layout, with every field and padding named. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("version"),
            INT.withName("length"),
            Protocol_AddressStruct.LAYOUT.withName("source"),
            MemoryLayout.sequenceLayout(2, CHAR).withName("tag"),
            ValueLayout.JAVA_BOOLEAN.withName("last"));

    /** The size in bytes, padding included. */
    public static final long SIZE = 16L;

    /** The alignment in bytes. */
    public static final long ALIGNMENT = 1L;

    /** The offset of {@code version} in bytes. */
    public static final long OFFSET_VERSION = 0L;

    /** The offset of {@code length} in bytes. */
    public static final long OFFSET_LENGTH = 1L;

    /** The offset of {@code source} in bytes. */
    public static final long OFFSET_SOURCE = 5L;

    /** The offset of {@code tag} in bytes. */
    public static final long OFFSET_TAG = 11L;

    /** The offset of {@code last} in bytes. */
    public static final long OFFSET_LAST = 15L;

    /** The number of elements of {@code tag}. */
    public static final int LENGTH_TAG = 2;

    private Protocol_HeaderStruct() {
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
     * {@return a new {@link Protocol.Header} of the struct's values, with new arrays}
     * @param segment the segment holding the struct
     * @param offset the struct's offset in bytes
     */
    public static Protocol.Header read(MemorySegment segment, long offset) {
        return new Protocol.Header(
                segment.get(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION),
                segment.get(INT, offset + OFFSET_LENGTH),
                Protocol_AddressStruct.read(segment, offset + OFFSET_SOURCE),
                readTag(segment, offset),
                segment.get(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST));
    }

    /**
     * Writes every field of {@code value}; padding is left as it is.
     * @param segment the segment holding the struct
     * @param offset the struct's offset in bytes
     * @param value the values to write
     * @throws IllegalArgumentException if an array's length is not its field's; nothing is written then
     */
    public static void write(MemorySegment segment, long offset, Protocol.Header value) {
        checkLength("tag", value.tag().length, LENGTH_TAG);
        segment.set(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION, value.version());
        segment.set(INT, offset + OFFSET_LENGTH, value.length());
        Protocol_AddressStruct.write(segment, offset + OFFSET_SOURCE, value.source());
        writeTag(segment, offset, value.tag());
        segment.set(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST, value.last());
    }

    private static void checkLength(String field, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("Header." + field + " has " + actual + " elements, but the struct holds exactly " + expected + "; pass an array of that length");
        }
    }

    /**
     * {@return a view of a new struct, zeroed, padding included, whatever the allocator does}
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     */
    public static View allocate(SegmentAllocator allocator) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 0L, 0L);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L, 0L);
        return new View(segment, 0L);
    }

    /**
     * {@return a view of a new struct, zeroed (nested structs' padding included), then holding {@code value}}
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @param value the initial values of the fields
     */
    public static View allocate(SegmentAllocator allocator, Protocol.Header value) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 0L, 0L);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L, 0L);
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
     * A flyweight view of one {@link Protocol.Header} struct in a segment, allocating nothing. A view can be moved
     * to another offset, so that one view visits every element of an array of structs. Views are not
     * thread-safe; the segment decides which threads may access the memory.
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
         * {@link Protocol_HeaderStruct#allocateArray}; it is not moved if the element lies outside the segment.
         * @param index the element index
         * @return this view
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

        /** {@return {@code version}} */
        public byte version() {
            return segment.get(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION);
        }

        /**
         * {@return this view, after writing {@code value} to {@code version}}
         * @param value the new value
         */
        public View version(byte value) {
            segment.set(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION, value);
            return this;
        }

        /** {@return {@code length}} */
        public int length() {
            return segment.get(INT, offset + OFFSET_LENGTH);
        }

        /**
         * {@return this view, after writing {@code value} to {@code length}}
         * @param value the new value
         */
        public View length(int value) {
            segment.set(INT, offset + OFFSET_LENGTH, value);
            return this;
        }

        /** {@return the view of the nested struct {@code source}, which moves with this view} */
        public Protocol_AddressStruct.View source() {
            return source;
        }

        /**
         * {@return this view, after writing every field of {@code value} to the nested struct {@code source}}
         * @param value the new value
         */
        public View source(Protocol.Address value) {
            Protocol_AddressStruct.write(segment, offset + OFFSET_SOURCE, value);
            return this;
        }

        /**
         * {@return element {@code index} of {@code tag}}
         * @param index the element index
         */
        public char tag(long index) {
            return segment.get(CHAR, offset + OFFSET_TAG + Objects.checkIndex(index, LENGTH_TAG) * 2L);
        }

        /**
         * {@return this view, after writing {@code value} to element {@code index} of {@code tag}}
         * @param index the element index
         * @param value the new value
         */
        public View tag(long index, char value) {
            segment.set(CHAR, offset + OFFSET_TAG + Objects.checkIndex(index, LENGTH_TAG) * 2L, value);
            return this;
        }

        /** {@return {@code last}} */
        public boolean last() {
            return segment.get(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST);
        }

        /**
         * {@return this view, after writing {@code value} to {@code last}}
         * @param value the new value
         */
        public View last(boolean value) {
            segment.set(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST, value);
            return this;
        }

        /** {@return a new {@link Protocol.Header} of the struct's values} */
        public Protocol.Header toRecord() {
            return read(segment, offset);
        }

        /**
         * Writes every field of {@code value}.
         * @param value the values to write
         * @return this view
         */
        public View set(Protocol.Header value) {
            write(segment, offset, value);
            return this;
        }
    }
}
