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
import org.openjdk.jmh.infra.Blackhole;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.concurrent.TimeUnit;

/**
 * The seed's second row: a batch of {@value #COUNT} allocations of 64 bytes, then the release of all of them.
 * Times are per batch.
 *
 * <p>Bump, pool and stack release with {@code reset()}. The JDK confined arena is created, used and closed per
 * batch (100 mallocs and frees). The slicing allocator is recreated over a block per batch. Netty's buffers are
 * released one by one; {@code byte[]} is left to the garbage collector. Every segment escapes into the
 * blackhole.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Dio.netty.leakDetection.level=disabled"})
public class BatchAllocationBenchmark {

    /** Allocations per batch. */
    static final int COUNT = 100;
    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;

    private BumpAllocator bump;
    private PoolAllocator pool;
    private StackAllocator stack;
    private Arena blockArena;
    private MemorySegment block;
    private PooledByteBufAllocator netty;
    private final ByteBuf[] buffers = new ByteBuf[COUNT];

    /** Creates the allocators, each with room for one batch. */
    @Setup(Level.Trial)
    public void setUp() {
        bump = BumpAllocator.create(SIZE * COUNT);
        pool = PoolAllocator.create(SIZE, ALIGNMENT, COUNT);
        stack = StackAllocator.create(SIZE * COUNT);
        blockArena = Arena.ofConfined();
        block = blockArena.allocate(SIZE * COUNT, 64);
        netty = new PooledByteBufAllocator(true);
    }

    /** Frees the allocators' memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        bump.close();
        pool.close();
        stack.close();
        blockArena.close();
    }

    /**
     * A batch from a {@link BumpAllocator}, then {@code reset()}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void bumpSegment(Blackhole bh) {
        for (int i = 0; i < COUNT; i++) {
            bh.consume(bump.allocate(SIZE, ALIGNMENT));
        }
        bump.reset();
    }

    /**
     * A batch of offsets from a {@link BumpAllocator}, then {@code reset()}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void bumpOffset(Blackhole bh) {
        for (int i = 0; i < COUNT; i++) {
            bh.consume(bump.allocateOffset(SIZE, ALIGNMENT));
        }
        bump.reset();
    }

    /**
     * A batch of blocks from a {@link PoolAllocator}, then {@code reset()}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void poolSegment(Blackhole bh) {
        for (int i = 0; i < COUNT; i++) {
            bh.consume(pool.allocate());
        }
        pool.reset();
    }

    /**
     * A batch of handles from a {@link PoolAllocator}, then {@code reset()}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void poolHandle(Blackhole bh) {
        for (int i = 0; i < COUNT; i++) {
            bh.consume(pool.allocateHandle());
        }
        pool.reset();
    }

    /**
     * A batch from a {@link StackAllocator}, then {@code reset()}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void stackSegment(Blackhole bh) {
        for (int i = 0; i < COUNT; i++) {
            bh.consume(stack.allocate(SIZE, ALIGNMENT));
        }
        stack.reset();
    }

    /**
     * A batch of offsets from a {@link StackAllocator}, then {@code reset()}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void stackOffset(Blackhole bh) {
        for (int i = 0; i < COUNT; i++) {
            bh.consume(stack.allocateOffset(SIZE, ALIGNMENT));
        }
        stack.reset();
    }

    /**
     * A batch from a fresh {@link SegmentAllocator#slicingAllocator(MemorySegment)} over one block.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void jdkSlicing(Blackhole bh) {
        SegmentAllocator slicing = SegmentAllocator.slicingAllocator(block);
        for (int i = 0; i < COUNT; i++) {
            bh.consume(slicing.allocate(SIZE, ALIGNMENT));
        }
    }

    /**
     * The System column: a batch from a fresh {@link Arena#ofConfined()}, then {@code close()}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void jdkConfinedArena(Blackhole bh) {
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < COUNT; i++) {
                bh.consume(arena.allocate(SIZE, ALIGNMENT));
            }
        }
    }

    /**
     * A batch of {@code new byte[64]}.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void heapArray(Blackhole bh) {
        for (int i = 0; i < COUNT; i++) {
            bh.consume(new byte[(int) SIZE]);
        }
    }

    /**
     * A batch of Netty pooled direct buffers, then the release of each.
     *
     * @param bh the blackhole
     */
    @Benchmark
    public void nettyPooled(Blackhole bh) {
        ByteBuf[] held = buffers;
        for (int i = 0; i < COUNT; i++) {
            held[i] = netty.directBuffer((int) SIZE);
        }
        for (int i = 0; i < COUNT; i++) {
            bh.consume(held[i]);
            held[i].release();
            held[i] = null;
        }
    }
}
