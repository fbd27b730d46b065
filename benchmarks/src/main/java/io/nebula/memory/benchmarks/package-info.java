/**
 * JMH benchmarks of the allocators, the kernels and the generated code, each against the peers a user would
 * pick instead: the JDK's confined arena and slicing allocator, {@code new byte[]}, direct byte buffers, Netty's
 * pooled allocator and the JDK bulk operations. {@code docs/BENCHMARKS.md} says how to run them and what they
 * measured.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Every benchmark returns its result or hands it to a {@link org.openjdk.jmh.infra.Blackhole}, so nothing
 *       is dead code; sizes are compile-time constants, as they are in real code (a layout's size), but every
 *       allocation changes allocator state, so none can be folded away.</li>
 *   <li>Methods named {@code ...Segment} return a {@link java.lang.foreign.MemorySegment} that <em>escapes</em>
 *       (it reaches the blackhole), as a segment stored in a data structure or passed to an opaque method does:
 *       the segment object is then allocated on the heap, and {@code -prof gc} shows it as about 40 B/op.
 *       Methods named {@code ...Offset} or {@code ...Handle} use the zero-garbage path and must show 0 B/op.</li>
 *   <li>An allocator that can only release in bulk is reset every {@code 16384} allocations inside the measured
 *       method, and the JDK slicing allocator is recreated at the same rate: the same amortised cost on both
 *       sides.</li>
 * </ul>
 */
package io.nebula.memory.benchmarks;
