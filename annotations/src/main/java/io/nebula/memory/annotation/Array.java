package io.nebula.memory.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives an array component of a {@link Struct} record its fixed length: the array is laid out inline, like a C
 * array member {@code char name[16]}.
 *
 * <pre>{@code
 * @Struct
 * record Header(int version, @Array(length = 16) byte[] name, @Array(length = 4) Point[] corners) {}
 * }</pre>
 *
 * <p>The element type is any type a struct component may have except an array: a primitive or another
 * {@code @Struct} record. Every array component of a struct needs this annotation; the processor reports an
 * error for an array component without it, for a length that is not positive, and for an array whose size in
 * bytes does not fit in a {@code long}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.RECORD_COMPONENT)
public @interface Array {
    /**
     * The number of elements, at least 1.
     *
     * @return the number of elements of the inline array
     */
    int length();
}
