package io.nebula.memory.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Releases, when the method returns or throws, everything its {@link Allocator @Allocator} class allocated while
 * it ran. The generated subclass overrides the method with the allocator's own scope, for every
 * {@link AllocatorKind}, exactly as you would write it by hand:
 * <pre>{@code
 * try (Scope _ = allocator.scope()) {   // io.nebula.memory.Scope
 *     return super.handle(request);
 * }                                     // everything allocated inside is given back here
 * }</pre>
 * and costs no more than that. Exceptions, checked or not, pass through unchanged. Scopes nest: a scoped method
 * calling another, or itself, releases the inner allocations when the inner call returns and the outer ones when
 * the outer call does. Generic, varargs, {@code void} and primitive-returning methods are all supported.
 *
 * <p>The method must be overridable: not {@code static}, {@code private}, {@code final} or {@code abstract}, in
 * a class annotated with {@code @Allocator}. Memory allocated in a scope is gone after it, so under javac the
 * processor checks the method's body: memory from {@code @Alloc} methods, from the allocator, or derived from them
 * (views, segments, slices, nested views) that is returned, thrown, stored in a field or in an array or collection
 * the call did not create, or captured by a lambda or class that is, is an error on that expression, tagged
 * {@code [nebula/ScopeEscape]}. Copy out what you need instead (for example {@code view.toRecord()}). Passing
 * memory to a method during the call, and memory that came in as a parameter, are fine. Under a compiler without
 * javac's tree API (ECJ) only the return type is checked. docs/DIAGNOSTICS.md lists the rules and their limits.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MemoryScope {
}
