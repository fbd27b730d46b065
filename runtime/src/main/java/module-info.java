/**
 * nebula-memory: fast, deterministic off-heap memory for Java. Bump, pool and stack allocators built on the
 * Foreign Function and Memory API, each a {@link java.lang.foreign.SegmentAllocator}, with statistics, checked
 * modes, leak reports, flight-recorder events and JMX beans; an async arena that shares a memory budget between
 * concurrent tasks ({@link io.nebula.memory.async}); and SIMD memory kernels.
 *
 * <p>The exported packages are the API. {@code io.nebula.memory.internal} (the machinery the allocators share)
 * and {@code io.nebula.memory.jfr} (the flight-recorder event classes) are not exported.
 *
 * <p>Every other module this one uses is optional: the Vector API ({@code jdk.incubator.vector}) only when the
 * application adds it, the flight recorder ({@code jdk.jfr}) and HotSpot's diagnostics ({@code jdk.management})
 * only when they are in the image. {@code java.management} is required for the JMX beans of
 * {@link io.nebula.memory.management}.
 */
module io.nebula.memory {
    requires static jdk.incubator.vector;
    requires static jdk.jfr;
    requires static jdk.management;
    requires transitive java.management;

    exports io.nebula.memory;
    exports io.nebula.memory.bump;
    exports io.nebula.memory.pool;
    exports io.nebula.memory.stack;
    exports io.nebula.memory.simd;
    exports io.nebula.memory.management;
    exports io.nebula.memory.async;
}
