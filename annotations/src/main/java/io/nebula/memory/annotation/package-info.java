/**
 * The annotation DSL of nebula-memory, read at compile time by the nebula-memory annotation processor.
 *
 * <p>{@link io.nebula.memory.annotation.Struct @Struct} declares a native struct layout on a record;
 * {@link io.nebula.memory.annotation.Array @Array} gives an array component its fixed length. The processor
 * validates the declaration and generates a layout constant, offsets, zero-garbage accessors and a flyweight view.
 * Every annotation here is retained in class files only ({@link java.lang.annotation.RetentionPolicy#CLASS}):
 * nothing is read by reflection at run time, and generated code depends on {@code java.lang.foreign} alone.
 */
package io.nebula.memory.annotation;
