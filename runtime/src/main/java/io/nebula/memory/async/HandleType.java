package io.nebula.memory.async;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * What a {@link Handle} holds: a layout, and how to read and write a value of type {@code T} at an offset. Built
 * for a primitive from its {@link ValueLayout}, or for a {@code @Struct} record from its generated class:
 * <pre>{@code
 * HandleType<Integer> counter = HandleType.of(ValueLayout.JAVA_INT);
 * HandleType<Particle> particle = HandleType.of(ParticleStruct.LAYOUT, ParticleStruct::read, ParticleStruct::write);
 * }</pre>
 *
 * @param layout the size and alignment of the value in memory
 * @param reader reads a value at an offset of a segment
 * @param writer writes a value at an offset of a segment
 * @param <T>    the type of the value
 */
public record HandleType<T>(MemoryLayout layout, Reader<T> reader, Writer<T> writer) {

    /**
     * Reads a value: the shape of a generated struct's {@code read(segment, offset)}.
     *
     * @param <T> the value's type
     */
    @FunctionalInterface
    public interface Reader<T> {
        /**
         * Reads the value at {@code offset}.
         *
         * @param segment the memory
         * @param offset  the value's offset in bytes
         * @return the value
         */
        T read(MemorySegment segment, long offset);
    }

    /**
     * Writes a value: the shape of a generated struct's {@code write(segment, offset, value)}.
     *
     * @param <T> the value's type
     */
    @FunctionalInterface
    public interface Writer<T> {
        /**
         * Writes {@code value} at {@code offset}.
         *
         * @param segment the memory
         * @param offset  the value's offset in bytes
         * @param value   the value
         */
        void write(MemorySegment segment, long offset, T value);
    }

    /**
     * Checks the components.
     *
     * @throws NullPointerException when a component is {@code null}
     */
    public HandleType {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(writer, "writer");
    }

    /**
     * A handle type for a value or a struct with a layout of its own.
     *
     * @param layout the layout
     * @param reader reads the value, such as {@code ParticleStruct::read}
     * @param writer writes the value, such as {@code ParticleStruct::write}
     * @param <T>    the value's type
     * @return the handle type
     * @throws NullPointerException when an argument is {@code null}
     */
    public static <T> HandleType<T> of(MemoryLayout layout, Reader<T> reader, Writer<T> writer) {
        return new HandleType<>(layout, reader, writer);
    }

    /**
     * A handle type for an {@code int}.
     *
     * @param layout the int layout, such as {@link ValueLayout#JAVA_INT}
     * @return the handle type
     * @throws NullPointerException when {@code layout} is {@code null}
     */
    public static HandleType<Integer> of(ValueLayout.OfInt layout) {
        return new HandleType<>(layout, (s, o) -> s.get(layout, o), (s, o, v) -> s.set(layout, o, v));
    }

    /**
     * A handle type for a {@code long}.
     *
     * @param layout the long layout, such as {@link ValueLayout#JAVA_LONG}
     * @return the handle type
     * @throws NullPointerException when {@code layout} is {@code null}
     */
    public static HandleType<Long> of(ValueLayout.OfLong layout) {
        return new HandleType<>(layout, (s, o) -> s.get(layout, o), (s, o, v) -> s.set(layout, o, v));
    }

    /**
     * A handle type for a {@code double}.
     *
     * @param layout the double layout, such as {@link ValueLayout#JAVA_DOUBLE}
     * @return the handle type
     * @throws NullPointerException when {@code layout} is {@code null}
     */
    public static HandleType<Double> of(ValueLayout.OfDouble layout) {
        return new HandleType<>(layout, (s, o) -> s.get(layout, o), (s, o, v) -> s.set(layout, o, v));
    }

    /**
     * A handle type for a {@code float}.
     *
     * @param layout the float layout, such as {@link ValueLayout#JAVA_FLOAT}
     * @return the handle type
     * @throws NullPointerException when {@code layout} is {@code null}
     */
    public static HandleType<Float> of(ValueLayout.OfFloat layout) {
        return new HandleType<>(layout, (s, o) -> s.get(layout, o), (s, o, v) -> s.set(layout, o, v));
    }

    /**
     * A handle type for a {@code byte}.
     *
     * @param layout the byte layout, such as {@link ValueLayout#JAVA_BYTE}
     * @return the handle type
     * @throws NullPointerException when {@code layout} is {@code null}
     */
    public static HandleType<Byte> of(ValueLayout.OfByte layout) {
        return new HandleType<>(layout, (s, o) -> s.get(layout, o), (s, o, v) -> s.set(layout, o, v));
    }

    /**
     * A handle type for raw bytes: reading copies them into a new heap segment, writing copies a segment's bytes in
     * (as many as fit).
     *
     * @param byteSize      the size in bytes, zero or more
     * @param byteAlignment the alignment, a power of two
     * @return the handle type
     * @throws IllegalArgumentException when the size is negative or the alignment is not a power of two
     */
    public static HandleType<MemorySegment> bytes(long byteSize, long byteAlignment) {
        MemoryLayout layout = MemoryLayout.sequenceLayout(byteSize, ValueLayout.JAVA_BYTE).withByteAlignment(byteAlignment);
        return new HandleType<>(layout,
                (s, o) -> {
                    MemorySegment copy = MemorySegment.ofArray(new byte[Math.toIntExact(byteSize)]);
                    MemorySegment.copy(s, o, copy, 0, byteSize);
                    return copy;
                },
                (s, o, v) -> MemorySegment.copy(v, 0, s, o, Math.min(byteSize, v.byteSize())));
    }
}
