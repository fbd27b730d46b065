package io.nebula.memory.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Releases, when the method returns or throws, everything its {@link Allocator @Allocator} class allocated while
 * it ran. The generated subclass overrides the method with the equivalent of the hand-written
 * <pre>{@code
 * Checkpoint checkpoint = allocator.checkpoint();  // BUMP; STACK takes a marker, POOL opens a block log
 * try {
 *     return super.handle(request);
 * } finally {
 *     allocator.restore(checkpoint);               // back to where the allocator was
 * }
 * }</pre>
 * and costs no more than that. Exceptions, checked or not, pass through unchanged. Scopes nest: a scoped method
 * calling another, or itself, releases the inner allocations when the inner call returns and the outer ones when
 * the outer call does. Generic, varargs, {@code void} and primitive-returning methods are all supported.
 *
 * <p>The method must be overridable: not {@code static}, {@code private}, {@code final} or {@code abstract}, in
 * a class annotated with {@code @Allocator}. Memory allocated in a scope is gone after it: a scoped method that
 * returns a struct view or a {@link java.lang.foreign.MemorySegment} is an error (return the record value, for
 * example {@code view.toRecord()}, instead). Each error carries a tag such as {@code [nebula/ScopeEscape]}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MemoryScope {
}
