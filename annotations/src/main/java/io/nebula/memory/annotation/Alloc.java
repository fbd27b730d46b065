package io.nebula.memory.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes an abstract method of an {@link Allocator @Allocator} class allocate from the class's allocator. The
 * generated subclass implements it; the memory is always zeroed before the method returns. What it allocates
 * follows from the return type:
 * <pre>{@code
 * @Alloc abstract PointStruct.View newPoint();                  // one zeroed Point
 * @Alloc abstract PointStruct.View newPoint(int x, int y);      // fields set by parameter name
 * @Alloc abstract PointStruct.View newPoint(Point value);       // every field set from a record value
 * @Alloc(count = 10) abstract PointStruct.View points();        // 10 Points; the view is at element 0
 * @Alloc(struct = Point.class, count = 10) abstract MemorySegment pointArray();
 * @Alloc(bytes = 256, alignment = 16) abstract MemorySegment scratch();
 * }</pre>
 *
 * <ul>
 *   <li>A {@code <Record>Struct.View}, the view generated for a {@link Struct @Struct} record: {@link #count()}
 *       structs, viewed at element 0 (move the view with {@code moveToElement(i)}). Parameters, for a single
 *       struct only, initialise the fields whose component names they carry, with the component's type; the
 *       other fields stay zero. A single parameter of the record's type initialises every field.</li>
 *   <li>A {@link java.lang.foreign.MemorySegment}, of {@link #count()} structs of {@link #struct()}, or of
 *       {@link #bytes()} bytes aligned to {@link #alignment()} (1 by default). No parameters.</li>
 * </ul>
 *
 * <p>In a {@link AllocatorKind#POOL} allocator each call takes one block, so the size allocated must be the block
 * size exactly. Blocks taken inside a {@link MemoryScope @MemoryScope} go back when the scope ends; blocks taken
 * outside any scope stay allocated until given back through {@code allocator().deallocate(segment)}. Bump and
 * stack memory allocated outside any scope stays until the allocator is reset or closed.
 *
 * <p>The processor reports: {@code @Alloc} on a method that is not abstract or outside an {@code @Allocator}
 * class; an unsupported return type; a parameter that names no component, or whose type differs from the
 * component's; a size, count or alignment out of range; an allocation that can never fit the allocator (larger
 * than a bump or stack allocator, larger than a pool block, or overflowing); and a pool allocation that is not
 * the block size. Each error carries a tag such as {@code [nebula/UnknownInitialiser]} and says how to fix it.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Alloc {
    /** The value of {@link #bytes()} and {@link #alignment()} that means "not given". */
    int UNSET = -1;

    /**
     * The number of consecutive structs to allocate: at least 1.
     *
     * @return the number of structs
     */
    int count() default 1;

    /**
     * For a method returning a {@code MemorySegment}: the {@code @Struct} record laid out in it. Give this or
     * {@link #bytes()}.
     *
     * @return the record, or {@code void.class} for none
     */
    Class<?> struct() default void.class;

    /**
     * For a method returning a {@code MemorySegment}: its size in bytes, at least 1, instead of {@link #struct()}.
     *
     * @return the size in bytes, or {@link #UNSET}
     */
    long bytes() default UNSET;

    /**
     * With {@link #bytes()}: the alignment of the segment, a power of two; 1 by default.
     *
     * @return the alignment in bytes, or {@link #UNSET}
     */
    long alignment() default UNSET;
}
