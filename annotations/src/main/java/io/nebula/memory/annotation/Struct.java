package io.nebula.memory.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a native struct layout on a record. The record components, in declaration order, are the fields;
 * the annotation processor lays them out as a C compiler would, checks the layout at compile time and
 * generates typed, layout-safe access to it.
 *
 * <pre>{@code
 * @Struct
 * public record Point(int x, int y) {}
 *
 * @Struct
 * public record Particle(Point position, byte kind, double mass, @Array(length = 3) float[] velocity) {}
 * }</pre>
 *
 * <h2>Fields</h2>
 * A component is a {@code byte}, {@code short}, {@code char}, {@code int}, {@code long}, {@code float},
 * {@code double} or {@code boolean} (one byte, zero is {@code false}), another {@code @Struct} record (laid out
 * inline, not by reference), or a one-dimensional array of any of these with a fixed {@link Array#length()}.
 *
 * <h2>Layout</h2>
 * Each field is placed at the next offset that is a multiple of its natural alignment (its own size for a
 * primitive, the alignment of the nested struct, the alignment of the element for an array); the gaps are
 * named padding. The alignment of the struct is the largest alignment of its fields, or {@link #alignment()}
 * if given, and its size is rounded up to a multiple of its alignment, so that arrays of the struct keep every
 * element aligned. With {@link #packed()} there is no padding at all and every access is unaligned. For the
 * {@code Particle} above: {@code position} at 0 (8 bytes), {@code kind} at 8, 7 bytes of padding,
 * {@code mass} at 16, {@code velocity} at 24 (12 bytes), 4 bytes of trailing padding: 40 bytes, aligned to 8.
 *
 * <h2>Generated code</h2>
 * For a record {@code Point} the processor generates {@code PointStruct} in the same package; for a nested
 * record {@code Outer.Point} it generates {@code Outer_PointStruct}. It is public when the record is public, and
 * depends only on {@code java.lang.foreign}. It holds:
 * <ul>
 *   <li>{@code LAYOUT}, the {@link java.lang.foreign.StructLayout} with every field and padding named (padding
 *       is named {@code $pad0}, {@code $pad1}, ...), {@code SIZE} and {@code ALIGNMENT} in bytes, an
 *       {@code OFFSET_<FIELD>} constant per field (the field name in upper snake case), and a
 *       {@code LENGTH_<FIELD>} constant per array field;</li>
 *   <li>{@code read(segment, offset)} and {@code write(segment, offset, value)}, converting to and from the
 *       record;</li>
 *   <li>{@code allocate(allocator)}, {@code allocate(allocator, value)} and
 *       {@code allocateArray(allocator, count)} through any {@link java.lang.foreign.SegmentAllocator}; the
 *       memory is zeroed, padding included, whether or not the allocator zeroes it;</li>
 *   <li>{@code view(segment)} and {@code view(segment, offset)}, a flyweight {@code View} over a segment and the
 *       one way to access single fields: a getter {@code x()} and a setter {@code x(value)} per field, an
 *       element {@code index} for array fields ({@code name(index)}, {@code name(index, value)}, bounds-checked),
 *       and nested views for nested structs; a view can be moved to another offset or array element, so that one
 *       view iterates over an array of structs without allocating.</li>
 * </ul>
 * A view's accessors are {@code segment.get(layout, offset + OFFSET_X)} and {@code segment.set(...)} calls. A
 * view held in a local variable and moved by {@code moveToElement} compiles to the same code as hand-written
 * access: the JIT replaces the view by its fields, and hoists its one index check out of the loop together with
 * the segment's own bounds checks (measured on JDK 25 against hand-written code, see docs/BENCHMARKS.md). A view
 * kept in a heap field stays a heap object, whose offset each move stores and each access reloads: in the
 * hottest loops create the view where the loop is ({@code view(segment)} costs nothing when the view does not
 * escape), or use the {@code OFFSET_<FIELD>} constants with {@code segment.get} directly.
 *
 * <h2>Errors</h2>
 * The processor reports, on the offending declaration: an annotated type that is not a record, a generic or
 * empty record, a component of an unsupported type, a struct that contains itself, an array without a valid
 * length, a size that overflows, an {@link #alignment()} that is not a power of two or is below the natural
 * alignment, a non-packed struct nested in a packed one, and a {@link #size()} that differs from the computed
 * size. Each message carries a tag such as {@code [nebula/UnsupportedType]} and says how to fix it.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Struct {
    /** The value of {@link #alignment()} and {@link #size()} that means "not given". */
    int UNSET = -1;

    /**
     * The alignment of the whole struct in bytes: a power of two, at least the natural alignment of the struct
     * (the largest alignment of its fields). The size is rounded up to a multiple of it. By default, the natural
     * alignment; for a packed struct, 1.
     *
     * @return the alignment in bytes, or {@link #UNSET}
     */
    int alignment() default UNSET;

    /**
     * Whether the struct is packed, as with {@code __attribute__((packed))}: fields follow one another without
     * padding and are read and written with unaligned accesses. A struct nested in a packed struct must have an
     * alignment of 1, so it must be packed too. With {@link #alignment()} a packed struct still gets trailing
     * padding up to a multiple of that alignment.
     *
     * @return {@code true} for a packed struct
     */
    boolean packed() default false;

    /**
     * The byte order of the multi-byte fields; by default the native order of the platform.
     *
     * @return the byte order of the fields
     */
    Endianness byteOrder() default Endianness.NATIVE;

    /**
     * The size the struct must have in bytes, to pin a layout shared with native code: the processor reports an
     * error, showing the computed layout, when the computed size differs. By default, not checked.
     *
     * @return the expected size in bytes, or {@link #UNSET}
     */
    long size() default UNSET;
}
