package io.nebula.memory.benchmarks;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.stack.StackAllocator;
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
 * Where the time of {@link ScopedAllocationBenchmark}'s scoped 32-byte allocation goes, one step at a time, so that
 * the distance between a bump scope and the JDK's slicing allocator can be attributed. Every variant writes a
 * double and an int and returns their sum, as the scoped call does:
 * <ul>
 *   <li>{@code workOnly}: on a fixed segment, nothing allocated;</li>
 *   <li>{@code jdkSlicingPerCall}: a slicing allocator created per call, 32 bytes from it;
 *       {@code jdkSlicingPerCallFill} zeroes them with {@code fill((byte) 0)}, as a generated {@code allocate} used
 *       to, and {@code jdkSlicingPerCallZeroStores} with four stores, as it does now;</li>
 *   <li>{@code bumpAllocate}: {@code allocate(32, 8)} with no scope, a reset every 1024 calls;</li>
 *   <li>{@code bumpScopeOnly}: a scope opened and closed around the work on the fixed segment;</li>
 *   <li>{@code bumpScopeAllocate}: a scope and one allocation in it;</li>
 *   <li>{@code bumpScopeAllocateZero}: the same, the 32 bytes zeroed by four stores as a generated
 *       {@code allocate} does;</li>
 *   <li>{@code poolAllocateFree}: a confined pool of 32-byte blocks, {@code allocate(32, 8)} and
 *       {@code deallocate} around the work, no scope; {@code poolScopeAllocate}: the same block given back by a
 *       pool scope instead, so the difference is the scope's own cost;</li>
 *   <li>{@code stackAllocateFree}: a confined stack, {@code allocate(32, 8)} and {@code deallocate} around the
 *       work, no scope; {@code stackScopeOnly}: a stack scope opened and closed around the work on the fixed
 *       segment; {@code stackScopeAllocate}: a stack scope and one allocation in it, which the scope pops.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class ScopeCostBenchmark {

    /** Allocations between resets in {@code bumpAllocate}. */
    static final int BATCH = 1024;

    private Arena arena;
    private MemorySegment block;
    private MemorySegment fixed;
    private BumpAllocator bump;
    private PoolAllocator pool;
    private StackAllocator stack;
    private double seed = 3.0;
    private int calls;

    /** Creates the block, the fixed segment and the arena. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        block = arena.allocate(4096, 64);
        fixed = block.asSlice(0, 32);
        bump = BumpAllocator.create(32L * BATCH);
        pool = PoolAllocator.create(32, 8, 64);
        stack = StackAllocator.create(4096);
    }

    /** Frees the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        bump.close();
        pool.close();
        stack.close();
    }

    private static double work(MemorySegment body, double seed) {
        body.set(ValueLayout.JAVA_DOUBLE, 0, seed);
        body.set(ValueLayout.JAVA_INT, 24, 7);
        return body.get(ValueLayout.JAVA_DOUBLE, 0) + body.get(ValueLayout.JAVA_INT, 24);
    }

    /**
     * The work alone.
     *
     * @return the value computed
     */
    @Benchmark
    public double workOnly() {
        return work(fixed, seed);
    }

    /**
     * The JDK idiom.
     *
     * @return the value computed
     */
    @Benchmark
    public double jdkSlicingPerCall() {
        return work(SegmentAllocator.slicingAllocator(block).allocate(32, 8), seed);
    }

    /**
     * The JDK idiom, the 32 bytes zeroed by {@code fill}.
     *
     * @return the value computed
     */
    @Benchmark
    public double jdkSlicingPerCallFill() {
        MemorySegment body = SegmentAllocator.slicingAllocator(block).allocate(32, 8);
        body.fill((byte) 0);
        return work(body, seed);
    }

    /**
     * The JDK idiom, the 32 bytes zeroed by four stores.
     *
     * @return the value computed
     */
    @Benchmark
    public double jdkSlicingPerCallZeroStores() {
        MemorySegment body = SegmentAllocator.slicingAllocator(block).allocate(32, 8);
        zero(body);
        return work(body, seed);
    }

    private static void zero(MemorySegment body) {
        body.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0L);
        body.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0L);
        body.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0L);
        body.set(ValueLayout.JAVA_LONG_UNALIGNED, 24, 0L);
    }

    /**
     * A bump allocation without a scope.
     *
     * @return the value computed
     */
    @Benchmark
    public double bumpAllocate() {
        if (++calls == BATCH) {
            calls = 0;
            bump.reset();
        }
        return work(bump.allocate(32, 8), seed);
    }

    /**
     * A bump scope alone.
     *
     * @return the value computed
     */
    @Benchmark
    public double bumpScopeOnly() {
        try (io.nebula.memory.Scope _ = bump.scope()) {
            return work(fixed, seed);
        }
    }

    /**
     * A bump scope and one allocation.
     *
     * @return the value computed
     */
    @Benchmark
    public double bumpScopeAllocate() {
        try (io.nebula.memory.Scope _ = bump.scope()) {
            return work(bump.allocate(32, 8), seed);
        }
    }

    /**
     * A bump scope, one allocation, zeroed as a generated {@code allocate} zeroes it.
     *
     * @return the value computed
     */
    @Benchmark
    public double bumpScopeAllocateZero() {
        try (io.nebula.memory.Scope _ = bump.scope()) {
            MemorySegment body = bump.allocate(32, 8);
            zero(body);
            return work(body, seed);
        }
    }

    /**
     * A pool block taken and given back by hand around the work.
     *
     * @return the value computed
     */
    @Benchmark
    public double poolAllocateFree() {
        MemorySegment body = pool.allocate(32, 8);
        double result = work(body, seed);
        pool.deallocate(body);
        return result;
    }

    /**
     * A pool block given back by a pool scope.
     *
     * @return the value computed
     */
    @Benchmark
    public double poolScopeAllocate() {
        try (io.nebula.memory.Scope _ = pool.scope()) {
            return work(pool.allocate(32, 8), seed);
        }
    }

    /**
     * A stack allocation pushed and popped by hand around the work.
     *
     * @return the value computed
     */
    @Benchmark
    public double stackAllocateFree() {
        MemorySegment body = stack.allocate(32, 8);
        double result = work(body, seed);
        stack.deallocate(body);
        return result;
    }

    /**
     * A stack scope alone.
     *
     * @return the value computed
     */
    @Benchmark
    public double stackScopeOnly() {
        try (io.nebula.memory.Scope _ = stack.scope()) {
            return work(fixed, seed);
        }
    }

    /**
     * A stack scope and one allocation, popped by the scope.
     *
     * @return the value computed
     */
    @Benchmark
    public double stackScopeAllocate() {
        try (io.nebula.memory.Scope _ = stack.scope()) {
            return work(stack.allocate(32, 8), seed);
        }
    }
}
