package io.nebula.memory.benchmarks;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Checked mode on and off, and what "off" costs: the bump arena's segment path against {@link MinimalBump}, a
 * bump allocator with no checks and no options at all. Target: checked mode off costs nothing, i.e. the arena
 * with {@code checked = false} runs as fast as the minimal one. Checked mode on is a debugging mode: one JDK
 * arena allocation per allocation.
 *
 * <p>Bump: one 64-byte allocation, reset every 16384. Pool: take and give back one block. Stack: push and pop 64
 * bytes. Segments escape.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class CheckedModeBenchmark {

    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;
    /** Bytes between two resets. */
    static final long LIMIT = SIZE * 16384;

    /** Whether the allocators run in checked mode. */
    @Param({"false", "true"})
    public boolean checked;

    private BumpAllocator bump;
    private PoolAllocator pool;
    private StackAllocator stack;
    private Arena minimalArena;
    private MinimalBump minimal;

    /** Creates the allocators. */
    @Setup(Level.Trial)
    public void setUp() {
        bump = BumpAllocator.create(LIMIT, BumpConfig.defaults().withChecked(checked));
        pool = PoolAllocator.create(SIZE, ALIGNMENT, 64, PoolConfig.defaults().withChecked(checked));
        stack = StackAllocator.create(4096, StackConfig.defaults().withChecked(checked));
        minimalArena = Arena.ofConfined();
        minimal = new MinimalBump(minimalArena.allocate(LIMIT, 64));
    }

    /** Frees the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        bump.close();
        pool.close();
        stack.close();
        minimalArena.close();
    }

    /**
     * A bump allocation, segment path.
     *
     * @return the segment
     */
    @Benchmark
    public MemorySegment bumpSegment() {
        if (bump.usedBytes() == LIMIT) {
            bump.reset();
        }
        return bump.allocate(SIZE, ALIGNMENT);
    }

    /**
     * The reference: {@link MinimalBump}, which has no checked mode (the parameter does not apply).
     *
     * @return the segment
     */
    @Benchmark
    public MemorySegment minimalBumpSegment() {
        if (minimal.usedBytes() == LIMIT) {
            minimal.reset();
        }
        return minimal.allocate(SIZE, ALIGNMENT);
    }

    /**
     * A pool block taken and given back, segment path.
     *
     * @return the segment, given back
     */
    @Benchmark
    public MemorySegment poolSegment() {
        MemorySegment segment = pool.allocate();
        pool.deallocate(segment);
        return segment;
    }

    /**
     * A stack push and pop, segment path.
     *
     * @return the segment, popped
     */
    @Benchmark
    public MemorySegment stackSegment() {
        MemorySegment segment = stack.allocate(SIZE, ALIGNMENT);
        stack.deallocate(segment);
        return segment;
    }
}
