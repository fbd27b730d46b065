package io.nebula.memory.benchmarks;

import io.nebula.memory.bump.BumpAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * A generated {@code @MemoryScope} call that {@code @Alloc}s one 32-byte {@link Body}, writes two fields and
 * returns their sum, against the JDK idiom for the same work. Targets (ratios within one run): the {@code BUMP}
 * kind within 1.3x of {@code jdkSlicingPerCall}, the {@code STACK} and {@code POOL} kinds within 1.5x, all at
 * 0 B/op ({@code -prof gc}).
 *
 * <p>The variants:
 * <ul>
 *   <li>{@code generatedBump}, {@code generatedStack}, {@code generatedPool}: {@code Scoped*Work_Memory.step}, the
 *       generated override (the allocator's {@link io.nebula.memory.Scope} in a try-with-resources around
 *       {@code super.step}, whose {@code @Alloc} method allocates and zeroes the body);</li>
 *   <li>{@code handWrittenBumpScope}: the same body under {@code bump.scope()} written by hand;</li>
 *   <li>{@code jdkSlicingPerCall}: the JDK idiom, a {@link SegmentAllocator#slicingAllocator(MemorySegment)}
 *       created over a block per call, 32 bytes allocated from it, the same writes and reads. It does not zero
 *       the struct (the block is zeroed once, and each call writes the same fields).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class ScopedAllocationBenchmark {

    private ScopedBumpWork_Memory bumpWork;
    private ScopedStackWork_Memory stackWork;
    private ScopedPoolWork_Memory poolWork;
    private BumpAllocator bump;
    private Arena arena;
    private MemorySegment block;
    private double seed = 3.0;

    /** Creates the generated objects, the hand-written side's allocator and the JDK side's block. */
    @Setup(Level.Trial)
    public void setUp() {
        bumpWork = ScopedBumpWork_Memory.create();
        stackWork = ScopedStackWork_Memory.create();
        poolWork = ScopedPoolWork_Memory.create();
        bump = BumpAllocator.create(4096);
        arena = Arena.ofConfined();
        block = arena.allocate(4096, 64);
    }

    /** Frees the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        bumpWork.close();
        stackWork.close();
        poolWork.close();
        bump.close();
        arena.close();
    }

    /**
     * The generated scope on a {@code BUMP} allocator.
     *
     * @return the value computed
     */
    @Benchmark
    public double generatedBump() {
        return bumpWork.step(seed);
    }

    /**
     * The generated scope on a {@code STACK} allocator.
     *
     * @return the value computed
     */
    @Benchmark
    public double generatedStack() {
        return stackWork.step(seed);
    }

    /**
     * The generated scope on a {@code POOL} allocator.
     *
     * @return the value computed
     */
    @Benchmark
    public double generatedPool() {
        return poolWork.step(seed);
    }

    /**
     * The same work under a hand-written {@code bump.scope()}.
     *
     * @return the value computed
     */
    @Benchmark
    public double handWrittenBumpScope() {
        try (io.nebula.memory.Scope _ = bump.scope()) {
            BodyStruct.View body = BodyStruct.allocate(bump);
            body.x(seed).id(7);
            return body.x() + body.id();
        }
    }

    /**
     * The JDK idiom: a slicing allocator over the block, created per call.
     *
     * @return the value computed
     */
    @Benchmark
    public double jdkSlicingPerCall() {
        SegmentAllocator slicing = SegmentAllocator.slicingAllocator(block);
        MemorySegment body = slicing.allocate(32, 8);
        body.set(ValueLayout.JAVA_DOUBLE, 0, seed);
        body.set(ValueLayout.JAVA_INT, 24, 7);
        return body.get(ValueLayout.JAVA_DOUBLE, 0) + body.get(ValueLayout.JAVA_INT, 24);
    }
}
