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
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The seed's third row, the reuse pattern: allocate 64 bytes, write and read a value, give the memory back.
 *
 * <p>The memory goes back the allocator's own way: {@code deallocate} for pool and stack (the handle and offset
 * forms for the zero-garbage path), {@code reset()} for bump, which takes memory back only in bulk;
 * {@code close()} for the JDK confined arena, {@code release()} for Netty. A {@code byte[]} is left to the
 * garbage collector.
 *
 * <p>Unlike the other rows, the segment does <em>not</em> escape here: it is used and given back inside the
 * method, as a temporary is, so escape analysis may remove the segment object when everything inlines. The
 * value read is returned, so nothing is dead. The {@code byte[]} is returned, since escape analysis would
 * otherwise remove the array and measure nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Dio.netty.leakDetection.level=disabled"})
public class ReuseBenchmark {

    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;

    private BumpAllocator bump;
    private PoolAllocator pool;
    private StackAllocator stack;
    private PooledByteBufAllocator netty;
    private long value = 42;

    /** Creates the allocators. */
    @Setup(Level.Trial)
    public void setUp() {
        bump = BumpAllocator.create(4096);
        pool = PoolAllocator.create(SIZE, ALIGNMENT, 64);
        stack = StackAllocator.create(4096);
        netty = new PooledByteBufAllocator(true);
    }

    /** Frees the allocators' memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        bump.close();
        pool.close();
        stack.close();
    }

    /**
     * {@link BumpAllocator#allocate(long, long)}, use, {@code reset()}.
     *
     * @return the value read
     */
    @Benchmark
    public long bumpSegment() {
        MemorySegment segment = bump.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG, 0, value);
        long read = segment.get(ValueLayout.JAVA_LONG, 0);
        bump.reset();
        return read;
    }

    /**
     * {@link BumpAllocator#allocateOffset(long, long)}, use, {@code reset()}.
     *
     * @return the value read
     */
    @Benchmark
    public long bumpOffset() {
        MemorySegment memory = bump.segment();
        long offset = bump.allocateOffset(SIZE, ALIGNMENT);
        memory.set(ValueLayout.JAVA_LONG, offset, value);
        long read = memory.get(ValueLayout.JAVA_LONG, offset);
        bump.reset();
        return read;
    }

    /**
     * {@link PoolAllocator#allocate()}, use, {@link PoolAllocator#deallocate(MemorySegment)}.
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
     * {@link PoolAllocator#allocateHandle()}, use, {@link PoolAllocator#deallocateHandle(long)}.
     *
     * @return the value read
     */
    @Benchmark
    public long poolHandle() {
        MemorySegment memory = pool.segment();
        long handle = pool.allocateHandle();
        memory.set(ValueLayout.JAVA_LONG, handle, value);
        long read = memory.get(ValueLayout.JAVA_LONG, handle);
        pool.deallocateHandle(handle);
        return read;
    }

    /**
     * {@link StackAllocator#allocate(long, long)}, use, {@link StackAllocator#deallocate(MemorySegment)}.
     *
     * @return the value read
     */
    @Benchmark
    public long stackSegment() {
        MemorySegment segment = stack.allocate(SIZE, ALIGNMENT);
        segment.set(ValueLayout.JAVA_LONG, 0, value);
        long read = segment.get(ValueLayout.JAVA_LONG, 0);
        stack.deallocate(segment);
        return read;
    }

    /**
     * {@link StackAllocator#allocateOffset(long, long)}, use, {@link StackAllocator#deallocateOffset(long)}.
     *
     * @return the value read
     */
    @Benchmark
    public long stackOffset() {
        MemorySegment memory = stack.segment();
        long offset = stack.allocateOffset(SIZE, ALIGNMENT);
        memory.set(ValueLayout.JAVA_LONG, offset, value);
        long read = memory.get(ValueLayout.JAVA_LONG, offset);
        stack.deallocateOffset(offset);
        return read;
    }

    /**
     * The System column: {@link Arena#ofConfined()}, allocate, use, {@code close()}.
     *
     * @return the value read
     */
    @Benchmark
    public long jdkConfinedArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(SIZE, ALIGNMENT);
            segment.set(ValueLayout.JAVA_LONG, 0, value);
            return segment.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * {@code new byte[64]} with a value stored in it, left to the garbage collector.
     *
     * @return the array
     */
    @Benchmark
    public byte[] heapArray() {
        byte[] array = new byte[(int) SIZE];
        array[0] = (byte) value;
        return array;
    }

    /**
     * Netty's pooled direct buffer: allocate, write and read a long, {@code release()}.
     *
     * @return the value read
     */
    @Benchmark
    public long nettyPooled() {
        ByteBuf buffer = netty.directBuffer((int) SIZE);
        buffer.setLong(0, value);
        long read = buffer.getLong(0);
        buffer.release();
        return read;
    }
}
