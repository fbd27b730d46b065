package io.nebula.memory.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe allocators at one and two threads, against the confined ones and Netty's pooled allocator (whose
 * thread-local caches make it the peer a multi-threaded server would use). Times are per operation of one
 * thread: at two threads, a time equal to the one-thread time means perfect scaling.
 *
 * <p>The thread-safe bump arena is shared by the threads ({@link Scope#Benchmark}); a thread that finds it past
 * half full resets it, which is safe while others allocate. A thread-safe stack gives each thread a stack of its
 * own over the one block, so its push-pop runs at one thread as annotated and at two with {@code -t 2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Dio.netty.leakDetection.level=disabled"})
public class ThreadSafeBenchmark {

    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;
    /** Offset past which a thread resets the thread-safe arena. */
    static final long HALF = SIZE * 16384;

    /** The thread-safe allocators: one set for all the threads of a benchmark. */
    @State(Scope.Benchmark)
    public static class ThreadSafe {
        BumpAllocator bump;
        PoolAllocator pool;
        StackAllocator stack;
        PooledByteBufAllocator netty;

        /** Creates the allocators. */
        @Setup(Level.Trial)
        public void create() {
            bump = BumpAllocator.create(4 * HALF, BumpConfig.defaults().withThreadSafe(true));
            pool = PoolAllocator.create(SIZE, ALIGNMENT, 1024, PoolConfig.defaults().withThreadSafe(true));
            stack = StackAllocator.create(4096, StackConfig.defaults().withThreadSafe(true));
            netty = new PooledByteBufAllocator(true);
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            bump.close();
            pool.close();
            stack.close();
        }
    }

    /** Confined allocators, one per thread. */
    @State(Scope.Thread)
    public static class Confined {
        BumpAllocator bump;
        PoolAllocator pool;
        StackAllocator stack;

        /** Creates the allocators. */
        @Setup(Level.Trial)
        public void create() {
            bump = BumpAllocator.create(HALF);
            pool = PoolAllocator.create(SIZE, ALIGNMENT, 1024);
            stack = StackAllocator.create(4096);
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            bump.close();
            pool.close();
            stack.close();
        }
    }

    private static long threadSafeOffset(BumpAllocator bump) {
        long offset = bump.allocateOffset(SIZE, ALIGNMENT);
        if (offset >= HALF) {
            bump.reset();
        }
        return offset;
    }

    private static MemorySegment threadSafeSegment(BumpAllocator bump) {
        MemorySegment segment = bump.allocate(SIZE, ALIGNMENT);
        if (segment.address() - bump.segment().address() >= HALF) {
            bump.reset();
        }
        return segment;
    }

    /**
     * The baseline: a confined bump arena's offset path.
     *
     * @param state the thread's allocators
     * @return the offset
     */
    @Benchmark
    @Threads(1)
    public long confinedBumpOffset(Confined state) {
        if (state.bump.usedBytes() == HALF) {
            state.bump.reset();
        }
        return state.bump.allocateOffset(SIZE, ALIGNMENT);
    }

    /**
     * A thread-safe bump arena's offset path (a compare-and-set), one thread.
     *
     * @param state the thread-safe allocators
     * @return the offset
     */
    @Benchmark
    @Threads(1)
    public long threadSafeBumpOffset1Thread(ThreadSafe state) {
        return threadSafeOffset(state.bump);
    }

    /**
     * A thread-safe bump arena's offset path, two threads on one arena.
     *
     * @param state the thread-safe allocators
     * @return the offset
     */
    @Benchmark
    @Threads(2)
    public long threadSafeBumpOffset2Threads(ThreadSafe state) {
        return threadSafeOffset(state.bump);
    }

    /**
     * A thread-safe bump arena's segment path, one thread.
     *
     * @param state the thread-safe allocators
     * @return the segment
     */
    @Benchmark
    @Threads(1)
    public MemorySegment threadSafeBumpSegment1Thread(ThreadSafe state) {
        return threadSafeSegment(state.bump);
    }

    /**
     * A thread-safe bump arena's segment path, two threads on one arena.
     *
     * @param state the thread-safe allocators
     * @return the segment
     */
    @Benchmark
    @Threads(2)
    public MemorySegment threadSafeBumpSegment2Threads(ThreadSafe state) {
        return threadSafeSegment(state.bump);
    }

    /**
     * The baseline: a confined pool's handle taken and given back.
     *
     * @param state the thread's allocators
     * @return the handle
     */
    @Benchmark
    @Threads(1)
    public long confinedPoolHandle(Confined state) {
        long handle = state.pool.allocateHandle();
        state.pool.deallocateHandle(handle);
        return handle;
    }

    /**
     * A thread-safe pool's handle taken and given back (two compare-and-sets on the free list), one thread.
     *
     * @param state the thread-safe allocators
     * @return the handle
     */
    @Benchmark
    @Threads(1)
    public long threadSafePoolHandle1Thread(ThreadSafe state) {
        long handle = state.pool.allocateHandle();
        state.pool.deallocateHandle(handle);
        return handle;
    }

    /**
     * A thread-safe pool's handle taken and given back, two threads on one pool.
     *
     * @param state the thread-safe allocators
     * @return the handle
     */
    @Benchmark
    @Threads(2)
    public long threadSafePoolHandle2Threads(ThreadSafe state) {
        long handle = state.pool.allocateHandle();
        state.pool.deallocateHandle(handle);
        return handle;
    }

    /**
     * A thread-safe pool's segment taken and given back, two threads on one pool.
     *
     * @param state the thread-safe allocators
     * @return the segment, given back
     */
    @Benchmark
    @Threads(2)
    public MemorySegment threadSafePoolSegment2Threads(ThreadSafe state) {
        MemorySegment segment = state.pool.allocate();
        state.pool.deallocate(segment);
        return segment;
    }

    /**
     * The baseline: a confined stack's push and pop.
     *
     * @param state the thread's allocators
     * @return the offset
     */
    @Benchmark
    @Threads(1)
    public long confinedStackPushPop(Confined state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }

    /**
     * A thread-safe stack's push and pop on the calling thread's own stack: one thread, or more with {@code -t}.
     *
     * @param state the thread-safe allocators
     * @return the offset
     */
    @Benchmark
    @Threads(1)
    public long threadSafeStackPushPop1Thread(ThreadSafe state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }

    /**
     * Netty's pooled allocator, allocate and release, one thread.
     *
     * @param state the thread-safe allocators
     * @return the released buffer
     */
    @Benchmark
    @Threads(1)
    public ByteBuf nettyPooled1Thread(ThreadSafe state) {
        ByteBuf buffer = state.netty.directBuffer((int) SIZE);
        buffer.release();
        return buffer;
    }

    /**
     * Netty's pooled allocator, allocate and release, two threads on one allocator.
     *
     * @param state the thread-safe allocators
     * @return the released buffer
     */
    @Benchmark
    @Threads(2)
    public ByteBuf nettyPooled2Threads(ThreadSafe state) {
        ByteBuf buffer = state.netty.directBuffer((int) SIZE);
        buffer.release();
        return buffer;
    }
}
