package io.nebula.memory.examples;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.Checkpoint;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * When to use which allocator, with a rough timing of each pattern. The timings are wall-clock loops in a plain
 * program, good for orders of magnitude only; the JMH suite in {@code benchmarks/} measures properly (see
 * docs/BENCHMARKS.md).
 */
public final class AllocatorComparison {

    private static final int ROUNDS = 20_000;
    private static final int BATCH = 100;

    /** Where the loops' results go, so that the JIT cannot drop the work. */
    private static volatile long sink;

    private AllocatorComparison() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     */
    public static void run(PrintStream out) {
        out.println("== allocator comparison: which allocator for which pattern");
        out.println("  BumpAllocator  : many allocations that die together (a request, a parse, a frame of a game)");
        out.println("  PoolAllocator  : same-size objects allocated and freed in any order (connections, nodes)");
        out.println("  StackAllocator : nested lifetimes, freed in reverse order (recursion, evaluation)");
        out.println("  Arena (JDK)    : few long-lived allocations; every allocate is a malloc plus zeroing");
        out.println();
        out.printf("  rough ns per 64-byte allocation, %d batches of %d (wall clock; see the JMH suite):%n", ROUNDS,
                BATCH);
        for (int warmup = 0; warmup < 3; warmup++) {
            sink = bump() + pool() + stack() + jdkArena();
        }
        out.printf("    %-26s %6.1f%n", "bump, then reset", nanosPerAllocation(AllocatorComparison::bump));
        out.printf("    %-26s %6.1f%n", "pool, allocate and free", nanosPerAllocation(AllocatorComparison::pool));
        out.printf("    %-26s %6.1f%n", "stack, in a scope", nanosPerAllocation(AllocatorComparison::stack));
        out.printf("    %-26s %6.1f%n", "Arena.ofConfined per batch", nanosPerAllocation(AllocatorComparison::jdkArena));
        out.println("  for real numbers, run the JMH suite: see docs/BENCHMARKS.md");
        out.println();
    }

    private interface Workload {
        long run();
    }

    private static double nanosPerAllocation(Workload workload) {
        long start = System.nanoTime();
        sink = workload.run();
        long elapsed = System.nanoTime() - start;
        return (double) elapsed / ((long) ROUNDS * BATCH);
    }

    private static long bump() {
        long sum = 0;
        try (BumpAllocator arena = BumpAllocator.create(BATCH * 64)) {
            MemorySegment block = arena.segment();
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < BATCH; i++) {
                    long p = arena.allocateOffset(64, 8);
                    block.set(ValueLayout.JAVA_LONG, p, i);
                    sum += p;
                }
                arena.reset();
            }
        }
        return sum;
    }

    private static long pool() {
        long sum = 0;
        long[] handles = new long[BATCH];
        try (PoolAllocator pool = PoolAllocator.create(64, 8, BATCH)) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < BATCH; i++) {
                    handles[i] = pool.allocateHandle();
                    sum += handles[i];
                }
                for (int i = BATCH - 1; i >= 0; i--) {
                    pool.deallocateHandle(handles[i]);
                }
            }
        }
        return sum;
    }

    private static long stack() {
        long sum = 0;
        try (StackAllocator stack = StackAllocator.create(BATCH * 64)) {
            for (int round = 0; round < ROUNDS; round++) {
                Checkpoint checkpoint = stack.checkpoint();
                for (int i = 0; i < BATCH; i++) {
                    sum += stack.allocateOffset(64, 8);
                }
                stack.restore(checkpoint);
            }
        }
        return sum;
    }

    private static long jdkArena() {
        long sum = 0;
        for (int round = 0; round < ROUNDS; round++) {
            try (Arena arena = Arena.ofConfined()) {
                for (int i = 0; i < BATCH; i++) {
                    sum += arena.allocate(64, 8).address() & 0xFF;
                }
            }
        }
        return sum;
    }
}
