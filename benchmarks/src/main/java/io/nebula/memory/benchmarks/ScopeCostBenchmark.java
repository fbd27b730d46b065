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
 *   <li>{@code handPositionScope}: a hand-written arena whose position is a field, saved and restored around one
 *       allocation, nothing else; {@code handPositionScopeOwnerChecked} also compares the owner thread, as a
 *       confined allocator does: the floor of any scope that keeps its position between calls;</li>
 *   <li>{@code bumpAllocate}: {@code allocate(32, 8)} with no scope, a reset every 1024 calls;</li>
 *   <li>{@code bumpScopeOnly}: a scope opened and closed around the work on the fixed segment;</li>
 *   <li>{@code bumpScopeAllocate}: a scope and one allocation in it;</li>
 *   <li>{@code bumpScopeAllocateZero}: the same, the 32 bytes zeroed by four stores as a generated
 *       {@code allocate} does;</li>
 *   <li>{@code poolAllocateFree}: a confined pool of 32-byte blocks, {@code allocate(32, 8)} and
 *       {@code deallocate} around the work, no scope; {@code poolScopeAllocate}: the same block given back by a
 *       pool scope instead, so the difference is the scope's own cost; {@code handPoolAllocateFree}: a hand-written
 *       pool that keeps only the checks a user relies on (owner thread, foreign segment, double free), the floor of
 *       {@code poolAllocateFree};</li>
 *   <li>{@code stackAllocateFree}: a confined stack, {@code allocate(32, 8)} and {@code deallocate} around the
 *       work, no scope; {@code handStackAllocateFree}: the same on a hand-written stack that keeps only the checks a
 *       user relies on (owner thread, pop order), its floor; {@code stackScopeOnly}: a stack scope opened and
 *       closed around the work on the fixed segment; {@code stackScopeAllocate}: a stack scope and one allocation
 *       in it, which the scope pops.</li>
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
    private Position position;
    private HandStack handStack;
    private HandPool handPool;
    private double seed = 3.0;
    private int calls;

    /** Creates the block, the fixed segment and the arena. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        block = arena.allocate(4096, 64);
        fixed = block.asSlice(0, 32);
        position = new Position(block.byteSize());
        handStack = new HandStack(block);
        handPool = new HandPool(block.asSlice(0, 64 * 32));
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
     * The least a scope that keeps its position between calls can do: a hand-written arena whose position is a field,
     * saved, moved past one aligned and bounds-checked allocation and stored back, with nothing else (no owner
     * thread, no nesting, no stale-scope check). Compared with {@link #jdkSlicingPerCall}, whose allocator's
     * position is a constant of the call, it shows what keeping a position in memory costs on this work.
     *
     * @return the value computed
     */
    @Benchmark
    public double handPositionScope() {
        return positionScope(false);
    }

    /**
     * {@link #handPositionScope} with the owner-thread comparison a confined allocator performs before it touches its
     * position.
     *
     * @return the value computed
     */
    @Benchmark
    public double handPositionScopeOwnerChecked() {
        return positionScope(true);
    }

    /** The body of both hand-written scopes; inlined with a constant {@code checkOwner}, so the test folds away. */
    private double positionScope(boolean checkOwner) {
        Position position = this.position;
        if (checkOwner && position.owner != Thread.currentThread()) {
            throw new IllegalStateException("the hand-written arena belongs to another thread");
        }
        long saved = position.top;
        long start = (saved + 7) & -8L;
        if (start + 32 > position.limit) {
            throw new IllegalStateException("the hand-written arena is full");
        }
        position.top = start + 32;
        double result = work(block.asSlice(start, 32), seed);
        position.top = saved;
        return result;
    }

    /** The hand-written stack of {@link #handStackAllocateFree}. */
    private static final class HandStack {
        final Thread owner = Thread.currentThread();
        final MemorySegment block;
        final long base;
        final long limit;
        final long[] starts = new long[16];
        final long[] previousTops = new long[16];
        long top;
        int depth;

        HandStack(MemorySegment block) {
            this.block = block;
            this.base = block.address();
            this.limit = block.byteSize();
        }

        MemorySegment push(long byteSize, long byteAlignment) {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("the hand-written stack belongs to another thread");
            }
            long current = top;
            long start = ((base + current + byteAlignment - 1) & -byteAlignment) - base;
            int n = depth;
            if (byteSize > limit - start || n == starts.length) {
                throw new IllegalStateException("the hand-written stack is full");
            }
            starts[n] = start;
            previousTops[n] = current;
            depth = n + 1;
            top = start + byteSize;
            return block.asSlice(start, byteSize);
        }

        void pop(MemorySegment segment) {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("the hand-written stack belongs to another thread");
            }
            int n = depth - 1;
            if (n < 0 || segment.address() - base != starts[n]) {
                throw new IllegalStateException("not the top entry of the hand-written stack");
            }
            top = previousTops[n];
            depth = n;
        }
    }

    /** The hand-written pool of {@link #handPoolAllocateFree}: 64 blocks of 32 bytes, their links in an array. */
    private static final class HandPool {
        private static final long NO_BLOCK = -1;
        private static final long IN_USE = -2;
        private static final int BLOCKS = 64;
        private static final int SHIFT = 5;

        final Thread owner = Thread.currentThread();
        final MemorySegment chunk;
        final long base;
        final long[] links = new long[BLOCKS];
        long freeHead;

        HandPool(MemorySegment chunk) {
            this.chunk = chunk;
            this.base = chunk.address();
            for (int i = 0; i < BLOCKS; i++) {
                links[i] = i + 1 < BLOCKS ? i + 1 : NO_BLOCK;
            }
        }

        MemorySegment allocate() {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("the hand-written pool belongs to another thread");
            }
            long block = freeHead;
            if (block < 0) {
                throw new IllegalStateException("the hand-written pool is empty");
            }
            freeHead = links[(int) block];
            links[(int) block] = IN_USE;
            return chunk.asSlice(block << SHIFT, 1 << SHIFT);
        }

        void free(MemorySegment segment) {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("the hand-written pool belongs to another thread");
            }
            long offset = segment.address() - base;
            if (offset < 0 || offset >= (long) BLOCKS << SHIFT || (offset & ((1 << SHIFT) - 1)) != 0) {
                throw new IllegalStateException("not a block of the hand-written pool");
            }
            int block = (int) (offset >>> SHIFT);
            if (links[block] != IN_USE) {
                throw new IllegalStateException("a double free in the hand-written pool");
            }
            links[block] = freeHead;
            freeHead = block;
        }
    }

    /** The state of the hand-written arena of {@link #handPositionScope}: its owner, end and position. */
    private static final class Position {
        final Thread owner = Thread.currentThread();
        final long limit;
        long top;

        Position(long limit) {
            this.limit = limit;
        }
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
     * The least a pool that keeps the checks a user relies on can do: a hand-written pool of 64 blocks of 32 bytes
     * whose free list is an array of links, with the owner-thread comparison, the foreign-segment and double-free
     * checks of a give-back, and nothing else (one chunk, no growth, no scopes, no counts). The floor of
     * {@link #poolAllocateFree}.
     *
     * @return the value computed
     */
    @Benchmark
    public double handPoolAllocateFree() {
        HandPool hand = handPool;
        MemorySegment body = hand.allocate();
        double result = work(body, seed);
        hand.free(body);
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
     * The least a stack that checks the order of its pops can do: a hand-written stack that records each entry's start
     * and the top before it, with the owner-thread comparison on push and pop and the check that a pop is of the
     * top entry, and nothing else (no frames, no closed check, no counts). The floor of {@link #stackAllocateFree}.
     *
     * @return the value computed
     */
    @Benchmark
    public double handStackAllocateFree() {
        HandStack hand = handStack;
        MemorySegment body = hand.push(32, 8);
        double result = work(body, seed);
        hand.pop(body);
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
