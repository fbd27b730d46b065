package io.nebula.memory.simd;

/**
 * The implementations {@link MemoryKernels} can run on, chosen once per JVM.
 *
 * @see MemoryKernels#activeVariant()
 */
public enum KernelVariant {

    /**
     * Vector API kernels ({@code jdk.incubator.vector}) for the operations and sizes where they measured faster,
     * the JDK bulk operations elsewhere. Requires the module in the boot layer, the C2 compiler and a preferred
     * species of at least 128 bits.
     */
    VECTOR,

    /**
     * The JDK bulk operations of {@link java.lang.foreign.MemorySegment} for everything: the fallback, correct and
     * warning-free on every JVM.
     */
    BULK
}
