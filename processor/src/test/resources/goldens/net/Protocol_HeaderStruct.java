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

    /** {@return {@code version}, {@code byte} at offset 0} */
    public static byte getVersion(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION);
    }

    /** Writes {@code version}, {@code byte} at offset 0. */
    public static void setVersion(MemorySegment segment, long offset, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, offset + OFFSET_VERSION, value);
    }

    /** {@return {@code length}, {@code int} at offset 1} */
    public static int getLength(MemorySegment segment, long offset) {
        return segment.get(INT, offset + OFFSET_LENGTH);
    }

    /** Writes {@code length}, {@code int} at offset 1. */
    public static void setLength(MemorySegment segment, long offset, int value) {
        segment.set(INT, offset + OFFSET_LENGTH, value);
    }

    /** {@return the offset of element {@code index} of {@code tag} in the struct} */
    public static long offsetOfTag(long index) {
        return OFFSET_TAG + Objects.checkIndex(index, LENGTH_TAG) * 2L;
    }

    /** {@return element {@code index} of {@code tag}, {@code char[2]} at offset 11} */
    public static char getTag(MemorySegment segment, long offset, long index) {
        return segment.get(CHAR, offset + OFFSET_TAG + Objects.checkIndex(index, LENGTH_TAG) * 2L);
    }

    /** Writes element {@code index} of {@code tag}, {@code char[2]} at offset 11. */
    public static void setTag(MemorySegment segment, long offset, long index, char value) {
        segment.set(CHAR, offset + OFFSET_TAG + Objects.checkIndex(index, LENGTH_TAG) * 2L, value);
    }

    /** {@return {@code last}, {@code boolean} at offset 15} */
    public static boolean getLast(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST);
    }

    /** Writes {@code last}, {@code boolean} at offset 15. */
    public static void setLast(MemorySegment segment, long offset, boolean value) {
        segment.set(ValueLayout.JAVA_BOOLEAN, offset + OFFSET_LAST, value);
    }

    /** {@return a new {@link Protocol.Header} of the struct's values, with new arrays} */
    public static Protocol.Header read(MemorySegment segment, long offset) {
        return new Protocol.Header(
                getVersion(segment, offset),
                getLength(segment, offset),
                Protocol_AddressStruct.read(segment, offset + OFFSET_SOURCE),
                segment.asSlice(offset + OFFSET_TAG, LENGTH_TAG * 2L).toArray(CHAR),
                getLast(segment, offset));
    }

    /**
     * Writes every field of {@code value}; padding is left as it is.
     * @throws IllegalArgumentException if an array's length is not its field's; nothing is written then
     */
    public static void write(MemorySegment segment, long offset, Protocol.Header value) {
        checkLength("tag", value.tag().length, LENGTH_TAG);
        setVersion(segment, offset, value.version());
        setLength(segment, offset, value.length());
        Protocol_AddressStruct.write(segment, offset + OFFSET_SOURCE, value.source());
        MemorySegment.copy(value.tag(), 0, segment, CHAR, offset + OFFSET_TAG, LENGTH_TAG);
        setLast(segment, offset, value.last());
    }

    private static void checkLength(String field, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("Header." + field + " has " + actual + " elements, but the struct holds exactly " + expected + "; pass an array of that length");
        }
    }

    /** {@return a view of a new struct, zeroed, padding included, whatever the allocator does} */
    public static View allocate(SegmentAllocator allocator) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 0L, 0L);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L, 0L);
        return new View(segment, 0L);
    }

    /** {@return a view of a new struct, zeroed (nested structs' padding included), then holding {@code value}} */
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
         */
        public View moveTo(long offset) {
            Objects.checkFromIndexSize(offset, SIZE, segment.byteSize());
            return at(offset);
        }

        /**
         * Moves this view to element {@code index} of an array of structs at offset 0, as allocated by
         * {@link Protocol_HeaderStruct#allocateArray}; it is not moved if the element lies outside the segment.
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
            return Protocol_HeaderStruct.getVersion(segment, offset);
        }

        /** {@return this view, after writing {@code value} to {@code version}} */
        public View version(byte value) {
            Protocol_HeaderStruct.setVersion(segment, offset, value);
            return this;
        }

        /** {@return {@code length}} */
        public int length() {
            return Protocol_HeaderStruct.getLength(segment, offset);
        }

        /** {@return this view, after writing {@code value} to {@code length}} */
        public View length(int value) {
            Protocol_HeaderStruct.setLength(segment, offset, value);
            return this;
        }

        /** {@return the view of the nested struct {@code source}, which moves with this view} */
        public Protocol_AddressStruct.View source() {
            return source;
        }

        /** {@return this view, after writing every field of {@code value} to the nested struct {@code source}} */
        public View source(Protocol.Address value) {
            Protocol_AddressStruct.write(segment, offset + OFFSET_SOURCE, value);
            return this;
        }

        /** {@return element {@code index} of {@code tag}} */
        public char tag(long index) {
            return Protocol_HeaderStruct.getTag(segment, offset, index);
        }

        /** {@return this view, after writing {@code value} to element {@code index} of {@code tag}} */
        public View tag(long index, char value) {
            Protocol_HeaderStruct.setTag(segment, offset, index, value);
            return this;
        }

        /** {@return {@code last}} */
        public boolean last() {
            return Protocol_HeaderStruct.getLast(segment, offset);
        }

        /** {@return this view, after writing {@code value} to {@code last}} */
        public View last(boolean value) {
            Protocol_HeaderStruct.setLast(segment, offset, value);
            return this;
        }

        /** {@return a new {@link Protocol.Header} of the struct's values} */
        public Protocol.Header toRecord() {
            return read(segment, offset);
        }

        /** Writes every field of {@code value}. */
        public View set(Protocol.Header value) {
            write(segment, offset, value);
            return this;
        }
    }
}
