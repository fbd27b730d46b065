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
 * <p>Static accessors read and write a struct at an offset in a segment and allocate nothing;
 * a {@link View} does the same through getters and setters. Neither checks more than the
 * segment does: an access outside the segment throws {@link IndexOutOfBoundsException},
 * an array index outside the array throws it before any access.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
public final class PointStruct {
    /**
     * The layout of {@link Point}, with every field and padding named.
     */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("x"),
            ValueLayout.JAVA_INT.withName("y"));

    /**
     * The size of {@link Point} in bytes, padding included.
     */
    public static final long SIZE = 8L;

    /**
     * The alignment of {@link Point} in bytes.
     */
    public static final long ALIGNMENT = 4L;

    /**
     * The offset of {@code x} from the start of the struct, in bytes.
     */
    public static final long OFFSET_X = 0L;

    /**
     * The offset of {@code y} from the start of the struct, in bytes.
     */
    public static final long OFFSET_Y = 4L;

    private PointStruct() {
    }

    /**
     * Reads {@code x} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return the value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static int getX(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_INT, offset + OFFSET_X);
    }

    /**
     * Writes {@code x} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the new value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static void setX(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_INT, offset + OFFSET_X, value);
    }

    /**
     * Reads {@code y} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return the value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static int getY(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_INT, offset + OFFSET_Y);
    }

    /**
     * Writes {@code y} of the struct at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the new value
     * @throws IndexOutOfBoundsException if the field lies outside {@code segment}
     */
    public static void setY(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_INT, offset + OFFSET_Y, value);
    }

    /**
     * Reads the struct at {@code offset} into a new {@link Point}.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @return a record holding the values of every field, with new arrays
     * @throws IndexOutOfBoundsException if the struct lies outside {@code segment}
     */
    public static Point read(MemorySegment segment, long offset) {
        return new Point(
                getX(segment, offset),
                getY(segment, offset));
    }

    /**
     * Writes every field of {@code value} into the struct at {@code offset}; padding is left as it is.
     *
     * @param segment the memory holding the struct
     * @param offset the offset of the struct in {@code segment}, in bytes
     * @param value the values to write
     * @throws IndexOutOfBoundsException if the struct lies outside {@code segment}
     */
    public static void write(MemorySegment segment, long offset, Point value) {
        setX(segment, offset, value.x());
        setY(segment, offset, value.y());
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
        return new View(segment, 0L);
    }

    /**
     * Allocates one struct through {@code allocator} and writes {@code value} into it, zeroing
     * the padding: each byte is written once.
     *
     * @param allocator any allocator: an arena, a slicing allocator, a pool
     * @param value the initial values of the fields
     * @return a view of the new struct, at offset 0 of a segment of {@link #SIZE} bytes
     * @see #write(MemorySegment, long, Point)
     */
    public static View allocate(SegmentAllocator allocator, Point value) {
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
     * A flyweight view of one {@link Point} struct in a segment: getters and setters over the static
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
         * segment, as allocated by {@link PointStruct#allocateArray}.
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
         * Reads {@code x}.
         *
         * @return the value
         */
        public int x() {
            return getX(segment, offset);
        }

        /**
         * Writes {@code x}.
         *
         * @param value the new value
         * @return this view
         */
        public View x(int value) {
            setX(segment, offset, value);
            return this;
        }

        /**
         * Reads {@code y}.
         *
         * @return the value
         */
        public int y() {
            return getY(segment, offset);
        }

        /**
         * Writes {@code y}.
         *
         * @param value the new value
         * @return this view
         */
        public View y(int value) {
            setY(segment, offset, value);
            return this;
        }

        /**
         * Reads the struct into a new {@link Point}.
         *
         * @return a record holding the values of every field
         */
        public Point toRecord() {
            return read(segment, offset);
        }

        /**
         * Writes every field of {@code value} into the struct.
         *
         * @param value the values to write
         * @return this view
         * @see PointStruct#write(MemorySegment, long, Point)
         */
        public View set(Point value) {
            write(segment, offset, value);
            return this;
        }
    }
}
