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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The cost of statistics: each allocator's hot path with {@code trackStats} off and on. Target: at most 10%.
 *
 * <p>Bump: one 64-byte allocation (segment and offset), reset every 16384. Pool: allocate and deallocate one
 * block. Stack: push and pop 64 bytes. Segments escape, as in the allocation rows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class StatisticsBenchmark {

    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;
    /** Bytes between two resets of the bump arena. */
    static final long LIMIT = SIZE * 16384;

    /** Whether the allocators track statistics. */
    @Param({"false", "true"})
    public boolean trackStats;

    private BumpAllocator bump;
    private PoolAllocator pool;
    private StackAllocator stack;

    /** Creates the allocators. */
    @Setup(Level.Trial)
    public void setUp() {
        bump = BumpAllocator.create(LIMIT, BumpConfig.defaults().withTrackStats(trackStats));
        pool = PoolAllocator.create(SIZE, ALIGNMENT, 64, PoolConfig.defaults().withTrackStats(trackStats));
        stack = StackAllocator.create(4096, StackConfig.defaults().withTrackStats(trackStats));
    }

    /** Frees the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        bump.close();
        pool.close();
        stack.close();
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
     * A bump allocation, offset path.
     *
     * @return the offset
     */
    @Benchmark
    public long bumpOffset() {
        if (bump.usedBytes() == LIMIT) {
            bump.reset();
        }
        return bump.allocateOffset(SIZE, ALIGNMENT);
    }

    /**
     * A pool block taken and given back, handle path.
     *
     * @return the handle
     */
    @Benchmark
    public long poolHandle() {
        long handle = pool.allocateHandle();
        pool.deallocateHandle(handle);
        return handle;
    }

    /**
     * A stack push and pop, offset path.
     *
     * @return the offset
     */
    @Benchmark
    public long stackOffset() {
        long offset = stack.allocateOffset(SIZE, ALIGNMENT);
        stack.deallocateOffset(offset);
        return offset;
    }
}
