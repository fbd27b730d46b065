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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * The seed's fourth row and the O(1) claim: the cost of one bulk release after {@code allocations} allocations of
 * 64 bytes, 10 or 10<sup>6</sup>.
 *
 * <p>The allocations happen in a per-invocation setup, outside the measured time, so each measured call is the
 * release alone. JMH then times every call on its own, and the timer costs some tens of nanoseconds per call:
 * {@link #timerFloor(FloorState)} measures that floor (a call that does nothing but read a field under the same
 * setup), to subtract before comparing. The JDK peer is closing a confined arena that holds the allocations,
 * which frees each of them; it has no reset.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class ResetBenchmark {

    /** Bytes per allocation. */
    static final long SIZE = 64;
    /** Alignment of each allocation. */
    static final long ALIGNMENT = 8;
    /** The most allocations a state makes. */
    static final int MAX_ALLOCATIONS = 1_000_000;

    /** Allocations made before each measured release. */
    @State(Scope.Thread)
    public static class Allocations {
        /** How many allocations precede the release. */
        @Param({"10", "1000000"})
        public int allocations;
    }

    /** A bump allocator filled before each call. */
    @State(Scope.Thread)
    public static class BumpState {
        BumpAllocator bump;

        /** Creates the allocator. */
        @Setup(Level.Trial)
        public void create() {
            bump = BumpAllocator.create(SIZE * MAX_ALLOCATIONS);
        }

        /**
         * Makes the allocations.
         *
         * @param count how many
         */
        @Setup(Level.Invocation)
        public void fill(Allocations count) {
            for (int i = 0; i < count.allocations; i++) {
                bump.allocateOffset(SIZE, ALIGNMENT);
            }
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            bump.close();
        }
    }

    /** A pool filled before each call. */
    @State(Scope.Thread)
    public static class PoolState {
        PoolAllocator pool;

        /** Creates the pool. */
        @Setup(Level.Trial)
        public void create() {
            pool = PoolAllocator.create(SIZE, ALIGNMENT, MAX_ALLOCATIONS);
        }

        /**
         * Makes the allocations.
         *
         * @param count how many
         */
        @Setup(Level.Invocation)
        public void fill(Allocations count) {
            for (int i = 0; i < count.allocations; i++) {
                pool.allocateHandle();
            }
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            pool.close();
        }
    }

    /** A stack filled before each call. */
    @State(Scope.Thread)
    public static class StackState {
        StackAllocator stack;

        /** Creates the stack. */
        @Setup(Level.Trial)
        public void create() {
            stack = StackAllocator.create(SIZE * MAX_ALLOCATIONS);
        }

        /**
         * Makes the allocations.
         *
         * @param count how many
         */
        @Setup(Level.Invocation)
        public void fill(Allocations count) {
            for (int i = 0; i < count.allocations; i++) {
                stack.allocateOffset(SIZE, ALIGNMENT);
            }
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            stack.close();
        }
    }

    /** A bump allocator filled and reset again before each call, for {@link #timerFloor(FloorState)}. */
    @State(Scope.Thread)
    public static class FloorState {
        BumpAllocator bump;

        /** Creates the allocator. */
        @Setup(Level.Trial)
        public void create() {
            bump = BumpAllocator.create(SIZE * MAX_ALLOCATIONS);
        }

        /**
         * Makes the allocations and releases them, so that the measured call finds the caches as the others do.
         *
         * @param count how many
         */
        @Setup(Level.Invocation)
        public void fill(Allocations count) {
            for (int i = 0; i < count.allocations; i++) {
                bump.allocateOffset(SIZE, ALIGNMENT);
            }
            bump.reset();
        }

        /** Frees the memory. */
        @TearDown(Level.Trial)
        public void close() {
            bump.close();
        }
    }

    /** A fresh JDK confined arena holding the allocations, created before each call. */
    @State(Scope.Thread)
    public static class ArenaState {
        Arena arena;

        /**
         * Opens the arena and makes the allocations.
         *
         * @param count how many
         */
        @Setup(Level.Invocation)
        public void fill(Allocations count) {
            arena = Arena.ofConfined();
            for (int i = 0; i < count.allocations; i++) {
                arena.allocate(SIZE, ALIGNMENT);
            }
        }
    }

    /**
     * {@link BumpAllocator#reset()}.
     *
     * @param state the filled allocator
     * @return the bytes in use afterwards, zero
     */
    @Benchmark
    public long bump(BumpState state) {
        state.bump.reset();
        return state.bump.usedBytes();
    }

    /**
     * {@link PoolAllocator#reset()}.
     *
     * @param state the filled pool
     * @return the bytes in use afterwards, zero
     */
    @Benchmark
    public long pool(PoolState state) {
        state.pool.reset();
        return state.pool.usedBytes();
    }

    /**
     * {@link StackAllocator#reset()}.
     *
     * @param state the filled stack
     * @return the bytes in use afterwards, zero
     */
    @Benchmark
    public long stack(StackState state) {
        state.stack.reset();
        return state.stack.usedBytes();
    }

    /**
     * The System column: {@link Arena#close()} of a confined arena holding the allocations.
     *
     * @param state the filled arena
     * @return whether the arena's scope is still alive, {@code false}
     */
    @Benchmark
    public boolean jdkConfinedArenaClose(ArenaState state) {
        state.arena.close();
        return state.arena.scope().isAlive();
    }

    /**
     * The floor: a call under the same per-invocation setup that releases nothing, only reads a field.
     *
     * @param state the allocator, filled and reset outside the measured time
     * @return the bytes in use, zero
     */
    @Benchmark
    public long timerFloor(FloorState state) {
        return state.bump.usedBytes();
    }
}
