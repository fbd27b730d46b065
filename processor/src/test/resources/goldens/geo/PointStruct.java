package geo;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import javax.annotation.processing.Generated;

/**
 * The native layout of {@link Point} and typed access to it.
 *
 * <pre>
 *   offset    size  member
 *        0       4  x: int
 *        4       4  y: int
 * </pre>
 * 8 bytes, aligned to 4.
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
public final class PointStruct {
    /** The layout, with every field and padding named. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("x"),
            ValueLayout.JAVA_INT.withName("y"));

    /** The size in bytes, padding included. */
    public static final long SIZE = 8L;

    /** The alignment in bytes. */
    public static final long ALIGNMENT = 4L;

    /** The offset of {@code x} in bytes. */
    public static final long OFFSET_X = 0L;

    /** The offset of {@code y} in bytes. */
    public static final long OFFSET_Y = 4L;

    private PointStruct() {
    }

    /** {@return {@code x}, {@code int} at offset 0} */
    public static int getX(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_INT, offset + OFFSET_X);
    }

    /** Writes {@code x}, {@code int} at offset 0. */
    public static void setX(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_INT, offset + OFFSET_X, value);
    }

    /** {@return {@code y}, {@code int} at offset 4} */
    public static int getY(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_INT, offset + OFFSET_Y);
    }

    /** Writes {@code y}, {@code int} at offset 4. */
    public static void setY(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_INT, offset + OFFSET_Y, value);
    }

    /** {@return a new {@link Point} of the struct's values, with new arrays} */
    public static Point read(MemorySegment segment, long offset) {
        return new Point(
                getX(segment, offset),
                getY(segment, offset));
    }

    /** Writes every field of {@code value}; padding is left as it is. */
    public static void write(MemorySegment segment, long offset, Point value) {
        setX(segment, offset, value.x());
        setY(segment, offset, value.y());
    }

    /** {@return a view of a new struct, zeroed, padding included, whatever the allocator does} */
    public static View allocate(SegmentAllocator allocator) {
        MemorySegment segment = allocator.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 0L, 0L);
        return new View(segment, 0L);
    }

    /** {@return a view of a new struct holding {@code value}, padding zeroed: each byte written once} */
    public static View allocate(SegmentAllocator allocator, Point value) {
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
     * A flyweight view of one {@link Point} struct in a segment, allocating nothing. A view can be moved
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
         * {@link PointStruct#allocateArray}; it is not moved if the element lies outside the segment.
         */
        public View moveToElement(long index) {
            Objects.checkIndex(index, segment.byteSize() / SIZE);
            return at(index * SIZE);
        }

        private View at(long offset) {
            this.offset = offset;
            return this;
        }

        /** {@return {@code x}} */
        public int x() {
            return PointStruct.getX(segment, offset);
        }

        /** {@return this view, after writing {@code value} to {@code x}} */
        public View x(int value) {
            PointStruct.setX(segment, offset, value);
            return this;
        }

        /** {@return {@code y}} */
        public int y() {
            return PointStruct.getY(segment, offset);
        }

        /** {@return this view, after writing {@code value} to {@code y}} */
        public View y(int value) {
            PointStruct.setY(segment, offset, value);
            return this;
        }

        /** {@return a new {@link Point} of the struct's values} */
        public Point toRecord() {
            return read(segment, offset);
        }

        /** Writes every field of {@code value}. */
        public View set(Point value) {
            write(segment, offset, value);
            return this;
        }
    }
}
