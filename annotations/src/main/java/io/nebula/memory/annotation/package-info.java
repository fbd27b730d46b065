/**
 * The annotation DSL of nebula-memory, read at compile time by the nebula-memory annotation processor.
 *
 * <p>{@link io.nebula.memory.annotation.Struct @Struct} declares a native struct layout on a record;
 * {@link io.nebula.memory.annotation.Array @Array} gives an array component its fixed length. The processor
 * validates the declaration and generates a layout constant, offsets, zero-garbage accessors and a flyweight view.
 *
 * <p>{@link io.nebula.memory.annotation.Allocator @Allocator} gives an abstract class its own allocator,
 * {@link io.nebula.memory.annotation.Alloc @Alloc} makes its abstract methods allocate structs and segments from
 * it, and {@link io.nebula.memory.annotation.MemoryScope @MemoryScope} releases what a method allocated when it
 * returns or throws. The processor generates a subclass that owns the allocator and implements all three.
 *
 * <p>Every annotation here is retained in class files only ({@link java.lang.annotation.RetentionPolicy#CLASS}):
 * nothing is read by reflection at run time. Struct classes depend on {@code java.lang.foreign} alone; the
 * allocator subclasses on the nebula-memory runtime.
 */
package io.nebula.memory.annotation;
