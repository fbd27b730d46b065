package io.nebula.memory.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The seed's first row: one 64-byte allocation, aligned to 8.
 *
 * <p>Each allocator's allocation alone, with its bulk release amortised: bump, pool and stack are reset every
 * {@value #BATCH} allocations, the JDK slicing allocator is recreated over its block at the same rate. The JDK
 * confined arena has no cheaper release than closing, so its row is {@code Arena.ofConfined()}, one allocation
 * and {@code close()}: the "System" column, malloc and free. Netty's pooled buffers must be released one by one,
 * so its row is {@code directBuffer(64)} plus {@code release()}. A direct {@link ByteBuffer} is freed by the
 * garbage collector, a {@code byte[]} too.
 *
 * <p>Every result escapes (it is returned to JMH's blackhole): see the package documentation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Dio.netty.leakDetection.level=disabled"})
public class SingleAllocationBenchmark {

    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;
    /** Allocations between two bulk releases. */
    static final int BATCH = 16384;
    /** Bytes between two bulk releases. */
    static final long LIMIT = SIZE * BATCH;

    private BumpAllocator bump;
    private PoolAllocator pool;
    private StackAllocator stack;
    private Arena blockArena;
    private MemorySegment block;
    private SegmentAllocator slicing;
    private int sliced;
    private PooledByteBufAllocator netty;

    /** Creates the allocators, each with room for {@value #BATCH} allocations. */
    @Setup(Level.Trial)
    public void setUp() {
        bump = BumpAllocator.create(LIMIT);
        pool = PoolAllocator.create(SIZE, ALIGNMENT, BATCH);
        stack = StackAllocator.create(LIMIT);
        blockArena = Arena.ofConfined();
        block = blockArena.allocate(LIMIT, 64);
        slicing = SegmentAllocator.slicingAllocator(block);
        netty = new PooledByteBufAllocator(true);
    }

    /** Releases what the last batch still holds, as every batch ends, then frees the allocators' memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pool.reset();
        stack.reset();
        bump.close();
        pool.close();
        stack.close();
        blockArena.close();
    }

    /**
     * {@link BumpAllocator#allocate(long, long)}.
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
     * {@link BumpAllocator#allocateOffset(long, long)}.
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
     * {@link PoolAllocator#allocate()}.
     *
     * @return the segment
     */
    @Benchmark
    public MemorySegment poolSegment() {
        if (pool.freeBlocks() == 0) {
            pool.reset();
        }
        return pool.allocate();
    }

    /**
     * {@link PoolAllocator#allocateHandle()}.
     *
     * @return the handle
     */
    @Benchmark
    public long poolHandle() {
        if (pool.freeBlocks() == 0) {
            pool.reset();
        }
        return pool.allocateHandle();
    }

    /**
     * {@link StackAllocator#allocate(long, long)}.
     *
     * @return the segment
     */
    @Benchmark
    public MemorySegment stackSegment() {
        if (stack.usedBytes() == LIMIT) {
            stack.reset();
        }
        return stack.allocate(SIZE, ALIGNMENT);
    }

    /**
     * {@link StackAllocator#allocateOffset(long, long)}.
     *
     * @return the offset
     */
    @Benchmark
    public long stackOffset() {
        if (stack.usedBytes() == LIMIT) {
            stack.reset();
        }
        return stack.allocateOffset(SIZE, ALIGNMENT);
    }

    /**
     * The JDK's bump allocator, {@link SegmentAllocator#slicingAllocator(MemorySegment)}.
     *
     * @return the segment
     */
    @Benchmark
    public MemorySegment jdkSlicing() {
        if (++sliced == BATCH) {
            sliced = 0;
            slicing = SegmentAllocator.slicingAllocator(block);
        }
        return slicing.allocate(SIZE, ALIGNMENT);
    }

    /**
     * The System column: {@link Arena#ofConfined()}, one allocation (malloc and zero), {@code close()} (free).
     *
     * @return the segment, no longer accessible
     */
    @Benchmark
    public MemorySegment jdkConfinedArena() {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate(SIZE, ALIGNMENT);
        }
    }

    /**
     * {@code new byte[64]}: a TLAB bump plus zeroing, paid for later by the garbage collector.
     *
     * @return the array
     */
    @Benchmark
    public byte[] heapArray() {
        return new byte[(int) SIZE];
    }

    /**
     * {@link ByteBuffer#allocateDirect(int)}: malloc, zeroing and a cleaner, freed by the garbage collector.
     *
     * @return the buffer
     */
    @Benchmark
    public ByteBuffer directByteBuffer() {
        return ByteBuffer.allocateDirect((int) SIZE);
    }

    /**
     * Netty's {@link PooledByteBufAllocator#directBuffer(int)} and {@code release()}.
     *
     * @return the released buffer
     */
    @Benchmark
    public ByteBuf nettyPooled() {
        ByteBuf buffer = netty.directBuffer((int) SIZE);
        buffer.release();
        return buffer;
    }
}
