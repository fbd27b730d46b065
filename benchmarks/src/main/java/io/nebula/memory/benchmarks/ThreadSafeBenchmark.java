package io.nebula.memory.benchmarks;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe allocators at one and two threads, against the confined ones and Netty's allocators: the pooled one
 * (thread-local caches) and 4.2's adaptive one (striped magazines), the peers a multi-threaded server would use.
 * Times are per operation of one thread: at two threads, a time equal to the one-thread time means perfect scaling.
 * The {@code pool*} methods compare the pools with Netty at one and two threads, on one 64-byte block or buffer taken,
 * written, read and given back.
 *
 * <p>The thread-safe bump arena is shared by the threads ({@link Scope#Benchmark}); each allocates inside a thread
 * buffer of its own (64 KiB here, a 64th of the arena). A thread that finds it past half full resets it, which is
 * safe while others allocate and retires every thread's buffer. A thread-safe stack gives each thread a stack of its
 * own over the one block, so its push-pop runs at one and at two threads; the {@code ...ThreadStack...} rows push
 * and pop through the thread's own stack from {@link StackAllocator#threadStack()}, and the {@code ...ThreadCache...}
 * rows take and give back blocks through the thread's own cache of the pool from {@link PoolAllocator#threadCache()}.
 * JMH's {@code -t} runs the two-thread rows at more threads.
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
    /** {@link Confined#word}, for the floor rows' compare-and-sets. */
    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(Confined.class, "word", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Offset past which a thread resets the thread-safe arena. */
    static final long HALF = SIZE * 16384;

    /** The thread-safe allocators: one set for all the threads of a benchmark. */
    @State(Scope.Benchmark)
    public static class ThreadSafe {
        BumpAllocator bump;
        PoolAllocator pool;
        StackAllocator stack;
        PooledByteBufAllocator netty;
        AdaptiveByteBufAllocator nettyAdaptive;

        /** Creates the allocators. */
        @Setup(Level.Trial)
        public void create() {
            bump = BumpAllocator.create(4 * HALF, BumpConfig.defaults().withThreadSafe(true));
            pool = PoolAllocator.create(SIZE, ALIGNMENT, 1024, PoolConfig.defaults().withThreadSafe(true));
            stack = StackAllocator.create(4096, StackConfig.defaults().withThreadSafe(true));
            netty = new PooledByteBufAllocator(true);
            nettyAdaptive = new AdaptiveByteBufAllocator(true, false);
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            bump.close();
            pool.close();
            stack.close();
        }
    }

    /**
     * A thread-safe stack created by a thread that never uses it, so that every benchmark thread takes the path of a
     * thread other than the creator (its stack found in a slot), as all threads but one do in an application.
     */
    @State(Scope.Benchmark)
    public static class CreatedElsewhere {
        StackAllocator stack;

        /**
         * Creates the stack on a thread of its own.
         *
         * @throws InterruptedException when interrupted while waiting for that thread
         */
        @Setup(Level.Trial)
        public void create() throws InterruptedException {
            Thread creator = Thread.ofPlatform().start(
                    () -> stack = StackAllocator.create(4096, StackConfig.defaults().withThreadSafe(true)));
            creator.join();
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            stack.close();
        }
    }

    /**
     * Each benchmark thread's own stack of the {@link CreatedElsewhere} stack, from
     * {@link StackAllocator#threadStack()}: what a thread holds on to for a hot loop.
     */
    @State(Scope.Thread)
    public static class ThreadsOwnStack {
        StackAllocator stack;

        /**
         * Takes the benchmark thread's stack, on that thread.
         *
         * @param shared the thread-safe stack, created by another thread
         */
        @Setup(Level.Trial)
        public void take(CreatedElsewhere shared) {
            stack = shared.stack.threadStack();
        }
    }

    /**
     * Each benchmark thread's cache of the {@link ThreadSafe} pool, from {@link PoolAllocator#threadCache()}: what a
     * thread holds on to for a hot loop.
     */
    @State(Scope.Thread)
    public static class ThreadsOwnCache {
        PoolAllocator pool;

        /**
         * Takes the benchmark thread's cache, on that thread.
         *
         * @param shared the thread-safe pool
         */
        @Setup(Level.Trial)
        public void take(ThreadSafe shared) {
            pool = shared.pool.threadCache();
        }
    }

    /** Confined allocators, one per thread. */
    @State(Scope.Thread)
    public static class Confined {
        BumpAllocator bump;
        PoolAllocator pool;
        StackAllocator stack;
        /** A word only this thread touches, for the uncontended compare-and-sets of the floor rows. */
        long word;

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

    /**
     * A thread-safe arena and a thread-safe stack of each thread's own, created by that thread: the controls for
     * two threads sharing one, with the same code but nothing shared between the threads.
     */
    @State(Scope.Thread)
    public static class OwnThreadSafe {
        BumpAllocator bump;
        StackAllocator stack;

        /** Creates the allocators, on the thread that uses them. */
        @Setup(Level.Trial)
        public void create() {
            bump = BumpAllocator.create(4 * HALF, BumpConfig.defaults().withThreadSafe(true));
            stack = StackAllocator.create(4096, StackConfig.defaults().withThreadSafe(true));
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            bump.close();
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
     * The baseline of the segment path: a confined bump arena's segment.
     *
     * @param state the thread's allocators
     * @return the segment
     */
    @Benchmark
    @Threads(1)
    public MemorySegment confinedBumpSegment(Confined state) {
        if (state.bump.usedBytes() == HALF) {
            state.bump.reset();
        }
        return state.bump.allocate(SIZE, ALIGNMENT);
    }

    /**
     * A thread-safe bump arena's offset path (inside the thread's buffer), one thread.
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
     * The control of {@link #threadSafeBumpOffset2Threads}: two threads, each on a thread-safe arena of its own.
     *
     * @param state the thread's own thread-safe arena
     * @return the offset
     */
    @Benchmark
    @Threads(2)
    public long threadSafeBumpOffsetOwnArena2Threads(OwnThreadSafe state) {
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
     * The baseline: a confined pool's block taken, written, read and given back (64 bytes).
     *
     * @param state the thread's allocators
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolConfined(Confined state) {
        return useBlock(state.pool);
    }

    /**
     * The floor of exact double-free detection: {@link #poolConfined} plus one uncontended compare-and-set, which any
     * pool that several threads may give blocks back to must perform per free so that, of two threads giving back
     * the same block, exactly one wins.
     *
     * @param state the thread's allocators
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolConfinedPlusOneCompareAndSet(Confined state) {
        return useBlockAmidCompareAndSets(state, 1, 0);
    }

    /**
     * The floor of any thread-safe pool that keeps both of its exact guarantees: {@link #poolConfined} plus two
     * uncontended compare-and-sets, one per allocate and one per free. The free's makes double-free detection exact
     * between threads. The allocate's is the least that lets another thread take free blocks out of the caller's
     * cache (without it, the owner's take and another thread's would race), so that a full pool reports
     * {@code OUT_OF_MEMORY} only when no cache holds a free block.
     *
     * @param state the thread's allocators
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolConfinedPlusTwoCompareAndSets(Confined state) {
        return useBlockAmidCompareAndSets(state, 1, 1);
    }

    /**
     * The floor of the thread-safe pool's design: {@link #poolConfined} plus the three uncontended compare-and-sets
     * its allocate and free perform (the magazine taken twice, the block state once).
     *
     * @param state the thread's allocators
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolConfinedPlusThreeCompareAndSets(Confined state) {
        return useBlockAmidCompareAndSets(state, 1, 2);
    }

    /**
     * The confined pool's block taken, written, read and given back, with {@code before} compare-and-sets ahead of it
     * and {@code after} behind it, where a thread-safe pool makes its atomic operations (the constants fold when
     * inlined).
     */
    private static long useBlockAmidCompareAndSets(Confined state, int before, int after) {
        for (int i = 0; i < before; i++) {
            compareAndSet(state);
        }
        long value = useBlock(state.pool);
        for (int i = 0; i < after; i++) {
            compareAndSet(state);
        }
        return value;
    }

    /**
     * One uncontended compare-and-set on a word only the calling thread touches, alone.
     *
     * @param state the thread's word
     * @return the word's new value
     */
    @Benchmark
    @Threads(1)
    public long compareAndSetOnly(Confined state) {
        return compareAndSet(state);
    }

    private static long compareAndSet(Confined state) {
        long seen = state.word;
        WORD.compareAndSet(state, seen, seen + 1);
        return seen + 1;
    }

    /**
     * A thread-safe pool's block taken, written, read and given back, one thread: the thread's magazine.
     *
     * @param state the thread-safe allocators
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolThreadSafe1Thread(ThreadSafe state) {
        return useBlock(state.pool);
    }

    /**
     * A thread-safe pool's block taken, written, read and given back, two threads on one pool.
     *
     * @param state the thread-safe allocators
     * @return the value read
     */
    @Benchmark
    @Threads(2)
    public long poolThreadSafe2Threads(ThreadSafe state) {
        return useBlock(state.pool);
    }

    /**
     * A thread-safe pool's block taken, written, read and given back through the thread's own cache
     * ({@link PoolAllocator#threadCache()}), one thread.
     *
     * @param cache the thread's cache of the thread-safe pool
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolThreadCache1Thread(ThreadsOwnCache cache) {
        return useBlock(cache.pool);
    }

    /**
     * A thread-safe pool's block taken, written, read and given back through each thread's own cache, two threads on
     * one pool.
     *
     * @param cache the thread's cache of the thread-safe pool
     * @return the value read
     */
    @Benchmark
    @Threads(2)
    public long poolThreadCache2Threads(ThreadsOwnCache cache) {
        return useBlock(cache.pool);
    }

    /**
     * The baseline of the zero-garbage path: a confined pool's handle taken and given back.
     *
     * @param state the thread's allocators
     * @return the handle
     */
    @Benchmark
    @Threads(1)
    public long poolHandleConfined(Confined state) {
        long handle = state.pool.allocateHandle();
        state.pool.deallocateHandle(handle);
        return handle;
    }

    /**
     * A thread-safe pool's handle taken and given back, one thread.
     *
     * @param state the thread-safe allocators
     * @return the handle
     */
    @Benchmark
    @Threads(1)
    public long poolHandleThreadSafe1Thread(ThreadSafe state) {
        long handle = state.pool.allocateHandle();
        state.pool.deallocateHandle(handle);
        return handle;
    }

    /**
     * A thread-safe pool's handle taken and given back through the thread's own cache, one thread.
     *
     * @param cache the thread's cache of the thread-safe pool
     * @return the handle
     */
    @Benchmark
    @Threads(1)
    public long poolHandleThreadCache1Thread(ThreadsOwnCache cache) {
        long handle = cache.pool.allocateHandle();
        cache.pool.deallocateHandle(handle);
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
    public long poolHandleThreadSafe2Threads(ThreadSafe state) {
        long handle = state.pool.allocateHandle();
        state.pool.deallocateHandle(handle);
        return handle;
    }

    /**
     * Netty 4.2's adaptive allocator: a 64-byte direct buffer taken, written, read and released, one thread.
     *
     * @param state the thread-safe allocators
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolNettyAdaptive1Thread(ThreadSafe state) {
        return useBuffer(state.nettyAdaptive);
    }

    /**
     * Netty 4.2's adaptive allocator, two threads on one allocator.
     *
     * @param state the thread-safe allocators
     * @return the value read
     */
    @Benchmark
    @Threads(2)
    public long poolNettyAdaptive2Threads(ThreadSafe state) {
        return useBuffer(state.nettyAdaptive);
    }

    /**
     * Netty's pooled allocator: a 64-byte direct buffer taken, written, read and released, one thread.
     *
     * @param state the thread-safe allocators
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long poolNettyPooled1Thread(ThreadSafe state) {
        return useBuffer(state.netty);
    }

    /**
     * Netty's pooled allocator, two threads on one allocator.
     *
     * @param state the thread-safe allocators
     * @return the value read
     */
    @Benchmark
    @Threads(2)
    public long poolNettyPooled2Threads(ThreadSafe state) {
        return useBuffer(state.netty);
    }

    private static long useBlock(PoolAllocator pool) {
        MemorySegment segment = pool.allocate();
        segment.set(ValueLayout.JAVA_LONG, 0, SIZE);
        long value = segment.get(ValueLayout.JAVA_LONG, 0);
        pool.deallocate(segment);
        return value;
    }

    private static long useBuffer(ByteBufAllocator allocator) {
        ByteBuf buffer = allocator.directBuffer((int) SIZE);
        buffer.setLong(0, SIZE);
        long value = buffer.getLong(0);
        buffer.release();
        return value;
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
     * A thread-safe stack's push and pop on the calling thread's own stack, at one thread.
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
     * Two threads pushing and popping at once, each on its own stack of the one thread-safe stack.
     *
     * @param state the thread-safe allocators
     * @return the offset
     */
    @Benchmark
    @Threads(2)
    public long threadSafeStackPushPop2Threads(ThreadSafe state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }

    /**
     * One thread pushing and popping on a thread-safe stack that another thread created: the path of every thread
     * but the creator.
     *
     * @param state the stack
     * @return the offset
     */
    @Benchmark
    @Threads(1)
    public long threadSafeStackPushPopNotCreator1Thread(CreatedElsewhere state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }

    /**
     * Two threads pushing and popping at once on a thread-safe stack that a third thread created, so that both take
     * the same path.
     *
     * @param state the stack
     * @return the offset
     */
    @Benchmark
    @Threads(2)
    public long threadSafeStackPushPopNotCreator2Threads(CreatedElsewhere state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }

    /**
     * The same push and pop as {@link #threadSafeStackPushPopNotCreator1Thread}, through the thread's own stack from
     * {@link StackAllocator#threadStack()}, taken once: no look-up per call.
     *
     * @param state the thread's own stack of a stack another thread created
     * @return the offset
     */
    @Benchmark
    @Threads(1)
    public long threadSafeStackThreadStackPushPop1Thread(ThreadsOwnStack state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }

    /**
     * Two threads pushing and popping at once, each through its own stack from {@link StackAllocator#threadStack()},
     * of one thread-safe stack a third thread created.
     *
     * @param state the thread's own stack of a stack another thread created
     * @return the offset
     */
    @Benchmark
    @Threads(2)
    public long threadSafeStackThreadStackPushPop2Threads(ThreadsOwnStack state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }

    /**
     * The control of {@link #threadSafeStackPushPop2Threads}: two threads, each on a thread-safe stack of its own,
     * which each created (so each takes the creator's path, as the one-thread row does).
     *
     * @param state the thread's own thread-safe stack
     * @return the offset
     */
    @Benchmark
    @Threads(2)
    public long threadSafeStackPushPopOwnStack2Threads(OwnThreadSafe state) {
        long offset = state.stack.allocateOffset(SIZE, ALIGNMENT);
        state.stack.deallocateOffset(offset);
        return offset;
    }
}
