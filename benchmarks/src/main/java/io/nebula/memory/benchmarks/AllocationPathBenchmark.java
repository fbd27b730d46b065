package io.nebula.memory.benchmarks;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.pool.PoolAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
 * The allocators' own paths against the peer a user would pick instead, one thread, 64 bytes, the segment not
 * escaping. Targets (ratios within one run): bump at least as fast as the JDK slicing allocator; the pool at least
 * 10x Netty's {@link PooledByteBufAllocator} and 5x Netty 4.2's {@link AdaptiveByteBufAllocator}.
 *
 * <ul>
 *   <li>{@code bumpSegment}: {@code allocate(64, 8)}, write and read a long, {@code reset()} every {@value #BATCH}
 *       calls; {@code jdkSlicing}: a slicing allocator over a block of the same size, recreated every
 *       {@value #BATCH} calls;</li>
 *   <li>{@code poolSegment}: {@code allocate()}, write and read a long, {@code deallocate}; {@code nettyPooled}
 *       and {@code nettyAdaptive}: a direct buffer of 64 bytes, write and read a long, {@code release()}.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Dio.netty.leakDetection.level=disabled"})
public class AllocationPathBenchmark {

    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;
    /** Allocations between resets. */
    static final int BATCH = 1024;

    private BumpAllocator bump;
    private PoolAllocator pool;
    private Arena arena;
    private MemorySegment block;
    private SegmentAllocator slicing;
    private PooledByteBufAllocator nettyPooled;
    private AdaptiveByteBufAllocator nettyAdaptive;
    private int bumpCalls;
    private int slicingCalls;
    private long value = 42;

    /** Creates the allocators. */
    @Setup(Level.Trial)
    public void setUp() {
        bump = BumpAllocator.create(SIZE * BATCH);
        pool = PoolAllocator.create(SIZE, ALIGNMENT, 64);
        arena = Arena.ofConfined();
        block = arena.allocate(SIZE * BATCH, 64);
        slicing = SegmentAllocator.slicingAllocator(block);
        nettyPooled = new PooledByteBufAllocator(true);
        nettyAdaptive = new AdaptiveByteBufAllocator(true, false);
    }

    /** Frees the allocators' memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        bump.close();
        pool.close();
        arena.close();
    }

    /**
     * {@link BumpAllocator#allocate(long, long)}, write and read, a reset every {@value #BATCH} calls.
     *
     * @return the value read
     */
    @Benchmark
    public long bumpSegment() {
        if (++bumpCalls == BATCH) {
            bumpCalls = 0;
            bump.reset();
        }
        MemorySegment segment = bump.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG, 0, value);
        return segment.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * The JDK's slicing allocator, recreated over its block every {@value #BATCH} calls.
     *
     * @return the value read
     */
    @Benchmark
    public long jdkSlicing() {
        if (++slicingCalls == BATCH) {
            slicingCalls = 0;
            slicing = SegmentAllocator.slicingAllocator(block);
        }
        MemorySegment segment = slicing.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG, 0, value);
        return segment.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * {@link PoolAllocator#allocate()}, write and read, {@link PoolAllocator#deallocate(MemorySegment)}.
     *
     * @return the value read
     */
    @Benchmark
    public long poolSegment() {
        MemorySegment segment = pool.allocate();
        segment.set(ValueLayout.JAVA_LONG, 0, value);
        long read = segment.get(ValueLayout.JAVA_LONG, 0);
        pool.deallocate(segment);
        return read;
    }

    /**
     * Netty's pooled direct buffer: allocate, write and read a long, {@code release()}.
     *
     * @return the value read
     */
    @Benchmark
    public long nettyPooled() {
        ByteBuf buffer = nettyPooled.directBuffer((int) SIZE);
        buffer.setLong(0, value);
        long read = buffer.getLong(0);
        buffer.release();
        return read;
    }

    /**
     * Netty 4.2's adaptive direct buffer: allocate, write and read a long, {@code release()}.
     *
     * @return the value read
     */
    @Benchmark
    public long nettyAdaptive() {
        ByteBuf buffer = nettyAdaptive.directBuffer((int) SIZE);
        buffer.setLong(0, value);
        long read = buffer.getLong(0);
        buffer.release();
        return read;
    }
}
