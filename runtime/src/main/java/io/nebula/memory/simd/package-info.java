/**
 * Memory kernels: copy, fill and compare over {@link java.lang.foreign.MemorySegment} ranges, on the Vector API
 * where it is faster and the JDK bulk operations otherwise. {@link io.nebula.memory.simd.MemoryKernels} is the
 * entry point; {@link io.nebula.memory.simd.KernelVariant} names what it runs on.
 */
package io.nebula.memory.simd;
