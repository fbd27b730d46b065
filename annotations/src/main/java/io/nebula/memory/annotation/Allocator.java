package io.nebula.memory.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives an abstract class its own off-heap allocator, for its {@link Alloc @Alloc} methods to allocate from and
 * its {@link MemoryScope @MemoryScope} methods to release into.
 *
 * <pre>{@code
 * @Allocator(kind = AllocatorKind.BUMP, size = 4096)
 * public abstract class RequestHandler {
 *     @Alloc protected abstract PointStruct.View newPoint(int x, int y);
 *
 *     @MemoryScope
 *     public int handle(int x, int y) {
 *         PointStruct.View p = newPoint(x, y);
 *         return p.x() + p.y();
 *     }   // every byte allocated inside is released here, on return and on throw
 * }
 *
 * try (RequestHandler_Memory handler = RequestHandler_Memory.create()) {
 *     handler.handle(1, 2);
 * }   // the allocator's native memory is freed
 * }</pre>
 *
 * <h2>The generated subclass</h2>
 * A processor cannot change a class, so for {@code RequestHandler} it generates the final subclass
 * {@code RequestHandler_Memory} in the same package ({@code Outer_Handler_Memory} for a nested
 * {@code Outer.Handler}), public when the class is public. It
 * <ul>
 *   <li>has one static factory {@code create(...)} per non-private constructor, with the same parameters, type
 *       parameters and exceptions; each creates a fresh allocator, then the object, and closes the allocator
 *       again if the constructor throws. The allocator is in place before the superclass constructor runs, so
 *       the constructor may already call {@code @Alloc} methods. javac's {@code -Xlint:this-escape} reports such a
 *       call in the constructor of a public class, since the method is overridable; the only override is the
 *       generated one, which is ready by then, so {@code @SuppressWarnings("this-escape")} on that constructor
 *       is safe;</li>
 *   <li>owns its allocator and exposes it as {@code allocator()}, typed {@code BumpAllocator},
 *       {@code PoolAllocator} or {@code StackAllocator}. To reach it from the class itself, declare
 *       {@code protected abstract BumpAllocator allocator();} (or any supertype of it, such as
 *       {@code SegmentAllocator}): the generated method implements it;</li>
 *   <li>is {@link AutoCloseable}: {@code close()} frees the native memory. The annotated class need not be
 *       {@code AutoCloseable}; if it declares a {@code close()} of its own, the generated one runs it first, then
 *       frees the allocator whatever it throws. Such a {@code close()} must not be {@code final};</li>
 *   <li>implements every {@code @Alloc} method and overrides every {@code @MemoryScope} method.</li>
 * </ul>
 * The subclass is confined to the thread that created it, like its allocator, unless {@link #threadSafe()}.
 *
 * <h2>Parameters by kind</h2>
 * <ul>
 *   <li>{@link AllocatorKind#BUMP} and {@link AllocatorKind#STACK}: {@link #size()}, the capacity in bytes.</li>
 *   <li>{@link AllocatorKind#POOL}: {@link #blockCount()}, and either {@link #block()}, a {@code @Struct} record
 *       whose size and alignment the blocks take, or {@link #blockSize()} with an optional
 *       {@link #blockAlignment()} (8 by default).</li>
 * </ul>
 * {@link #threadSafe()}, {@link #trackStats()}, {@link #fillPattern()} and {@link #checked()} apply to every
 * kind.
 *
 * <h2>Errors</h2>
 * The processor reports, on the declaration and the annotation value at fault: {@code @Allocator} on a final
 * class, an interface, an enum, a record, a private, local or inner class, or a class without a non-private
 * constructor; a missing parameter the kind needs or a parameter it does not use; a size or count below 1; an
 * alignment that is not a power of two; a fill pattern that is not a byte; an abstract method that is not
 * {@code @Alloc}; and a {@code final close()} or an {@code allocator()} the subclass cannot implement. Each
 * message carries a tag such as {@code [nebula/AllocatorParameter]} and says how to fix it.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Allocator {
    /** The value of the {@code long} and {@code int} parameters that means "not given". */
    int UNSET = -1;

    /** The value of {@link #fillPattern()} that means "no fill pattern". */
    int NO_FILL = Integer.MIN_VALUE;

    /**
     * The kind of allocator.
     *
     * @return the kind
     */
    AllocatorKind kind();

    /**
     * The capacity in bytes of a {@link AllocatorKind#BUMP} or {@link AllocatorKind#STACK} allocator: at least 1.
     *
     * @return the capacity in bytes, or {@link #UNSET}
     */
    long size() default UNSET;

    /**
     * The size in bytes of each block of a {@link AllocatorKind#POOL}: at least 1. Give this or {@link #block()}.
     *
     * @return the block size in bytes, or {@link #UNSET}
     */
    long blockSize() default UNSET;

    /**
     * The alignment of each block of a {@link AllocatorKind#POOL} given by {@link #blockSize()}: a power of two,
     * 8 by default. With {@link #block()}, the alignment of the struct.
     *
     * @return the block alignment in bytes, or {@link #UNSET}
     */
    long blockAlignment() default UNSET;

    /**
     * A {@code @Struct} record whose size and alignment the blocks of a {@link AllocatorKind#POOL} take, instead
     * of {@link #blockSize()} and {@link #blockAlignment()}.
     *
     * @return the record, or {@code void.class} for none
     */
    Class<?> block() default void.class;

    /**
     * The number of blocks of a {@link AllocatorKind#POOL}: at least 1.
     *
     * @return the number of blocks, or {@link #UNSET}
     */
    int blockCount() default UNSET;

    /**
     * Whether several threads share the allocator. For {@link AllocatorKind#BUMP} and {@link AllocatorKind#STACK}
     * a scope then releases what <em>every</em> thread allocated since it opened, as {@code BumpAllocator} and
     * {@code StackAllocator} document: share one only among threads whose scopes nest. For
     * {@link AllocatorKind#POOL} each thread keeps its own log of the blocks its scopes took, so scopes on
     * different threads are independent.
     *
     * @return {@code true} for a thread-safe allocator
     */
    boolean threadSafe() default false;

    /**
     * Whether the allocator counts allocations and bytes, read through {@code allocator().statistics()}.
     *
     * @return {@code true} to track statistics
     */
    boolean trackStats() default false;

    /**
     * A byte value (-128 to 255) the allocator writes over each allocation before use, to make uninitialised
     * reads visible. {@code @Alloc} memory is zeroed after that either way.
     *
     * @return the pattern, or {@link #NO_FILL}
     */
    int fillPattern() default NO_FILL;

    /**
     * Checked mode: a segment used after its scope closed throws instead of reading newer data. A debugging mode;
     * see {@code BumpAllocator}, {@code PoolAllocator} and {@code StackAllocator}.
     *
     * @return {@code true} for checked mode
     */
    boolean checked() default false;
}
