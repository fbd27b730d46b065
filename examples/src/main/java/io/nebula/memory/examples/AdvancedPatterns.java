package io.nebula.memory.examples;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.Scope;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sophisticated patterns: nested scopes, a stack scope per recursive call, one thread-safe pool and one thread-safe
 * stack shared by worker threads, statistics, a leak report at close, and checked mode catching a use after the
 * scope ended.
 */
public final class AdvancedPatterns {

    private AdvancedPatterns() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws Exception if a worker thread fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     * @throws Exception if a worker thread fails
     */
    public static void run(PrintStream out) throws Exception {
        out.println("== advanced patterns");
        nestedScopes(out);
        recursionWithScopes(out);
        threadSafePool(out);
        threadSafeStack(out);
        leakReport(out);
        checkedMode(out);
        out.println();
    }

    /** A document, its sections, and per-section scratch: each level released as soon as it is done. */
    private static void nestedScopes(PrintStream out) {
        try (BumpAllocator arena = BumpAllocator.create(1 << 16)) {
            long peak = 0;
            try (Scope _ = arena.scope()) {
                arena.allocate(1024);                              // the document's index
                for (int section = 0; section < 3; section++) {
                    try (Scope _ = arena.scope()) {
                        arena.allocate(512);                       // the section's text
                        try (Scope _ = arena.scope()) {
                            arena.allocate(2048);                  // scratch for formatting it
                            peak = Math.max(peak, arena.usedBytes());
                        }
                    }
                }
                out.printf("  nested scopes: peak %d bytes, %d bytes after the sections, ", peak, arena.usedBytes());
            }
            out.printf("%d after the document%n", arena.usedBytes());
        }
    }

    /** Merge sort whose temporary buffers live in stack scopes: every level frees its own on return. */
    private static void recursionWithScopes(PrintStream out) {
        int[] values = {38, 27, 43, 3, 9, 82, 10, 5, 61, 14, 72, 1};
        try (StackAllocator stack = StackAllocator.create(4096)) {
            MemorySegment data = stack.allocateFrom(ValueLayout.JAVA_INT, values);
            int[] maxDepth = new int[1];
            sort(stack, data, 0, values.length, maxDepth);
            int[] sorted = data.toArray(ValueLayout.JAVA_INT);
            stack.deallocate(data);
            out.printf("  merge sort in stack scopes: %s, deepest stack %d allocations, %d after%n",
                    Arrays.toString(sorted), maxDepth[0], stack.depth());
        }
    }

    private static void sort(StackAllocator stack, MemorySegment data, int from, int to, int[] maxDepth) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        sort(stack, data, from, mid, maxDepth);
        sort(stack, data, mid, to, maxDepth);
        try (Scope _ = stack.scope()) {
            MemorySegment merged = stack.allocate(ValueLayout.JAVA_INT, to - from);
            maxDepth[0] = Math.max(maxDepth[0], stack.depth());
            int i = from;
            int j = mid;
            for (int k = 0; k < to - from; k++) {
                int a = i < mid ? data.getAtIndex(ValueLayout.JAVA_INT, i) : Integer.MAX_VALUE;
                int b = j < to ? data.getAtIndex(ValueLayout.JAVA_INT, j) : Integer.MAX_VALUE;
                merged.setAtIndex(ValueLayout.JAVA_INT, k, Math.min(a, b));
                if (a <= b) {
                    i++;
                } else {
                    j++;
                }
            }
            MemorySegment.copy(merged, 0, data, (long) from * Integer.BYTES, merged.byteSize());
        }
    }

    /**
     * Four workers share one thread-safe pool of message buffers, with statistics: each takes its own cache of the
     * pool for its loop ({@link PoolAllocator#threadCache()}) and closes it at the end, which gives the blocks it
     * still caches back to the pool.
     */
    private static void threadSafePool(PrintStream out) throws Exception {
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true).withAllowGrowth(true);
        try (PoolAllocator pool = PoolAllocator.create(256, 16, 64, config);
             ExecutorService workers = Executors.newFixedThreadPool(4)) {
            List<Future<Long>> results = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                results.add(workers.submit(() -> {
                    long checksum = 0;
                    try (PoolAllocator mine = pool.threadCache()) {
                        for (int message = 0; message < 10_000; message++) {
                            MemorySegment buffer = mine.allocate();
                            buffer.set(ValueLayout.JAVA_LONG, 0, (long) worker << 32 | message);
                            checksum += buffer.get(ValueLayout.JAVA_LONG, 0) & 0xFFFF_FFFFL;
                            mine.deallocate(buffer);
                        }
                    }
                    return checksum;
                }));
            }
            long total = 0;
            for (Future<Long> result : results) {
                total += result.get();
            }
            AllocationStatistics stats = pool.statistics().orElseThrow();
            out.printf("  thread-safe pool: 4 threads x 10000 messages, each through its own cache, checksum %d,"
                    + " %d allocations = %d deallocations, %d blocks in use after%n", total, stats.allocations(),
                    stats.deallocations(), pool.blockCount() - pool.freeBlocks());
            out.println("  statistics as JSON: " + stats.toJson());
        }
    }

    /**
     * Four workers share one thread-safe stack as scratch memory: each takes its own stack once
     * ({@link StackAllocator#threadStack()}), then opens a scope per request on it, with no look-up per call.
     */
    private static void threadSafeStack(PrintStream out) throws Exception {
        StackConfig config = StackConfig.defaults().withThreadSafe(true).withLeakPolicy(LeakPolicy.FAIL);
        try (StackAllocator stack = StackAllocator.create(64 * 1024, config);
             ExecutorService workers = Executors.newFixedThreadPool(4)) {
            List<Future<Long>> results = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                results.add(workers.submit(() -> {
                    StackAllocator mine = stack.threadStack();
                    long checksum = 0;
                    for (int request = 0; request < 1_000; request++) {
                        try (Scope _ = mine.scope()) {
                            MemorySegment scratch = mine.allocate(ValueLayout.JAVA_INT, 16);
                            for (int i = 0; i < 16; i++) {
                                scratch.setAtIndex(ValueLayout.JAVA_INT, i, worker * 16 + i);
                            }
                            for (int i = 0; i < 16; i++) {
                                checksum += scratch.getAtIndex(ValueLayout.JAVA_INT, i);
                            }
                        }
                    }
                    return checksum;
                }));
            }
            long total = 0;
            for (Future<Long> result : results) {
                total += result.get();
            }
            out.printf("  thread-safe stack: 4 threads x 1000 scopes on their own stacks, checksum %d, depth %d"
                    + " after%n", total, stack.depth());
        }
    }

    /** Closing a stack that still holds allocations, with the leak policy set to fail. */
    private static void leakReport(PrintStream out) {
        StackAllocator stack = StackAllocator.create(1024,
                StackConfig.defaults().withLeakPolicy(LeakPolicy.FAIL).withChecked(true));
        stack.allocate(100);
        stack.allocate(28);
        try {
            stack.close();
        } catch (AllocationException e) {
            out.println("  leak report: " + e.code() + ": " + e.details().lines().findFirst().orElse(""));
            out.println("    first live allocation made " + e.details().lines()
                    .filter(line -> line.contains("at ")).findFirst().orElse("?").trim());
        }
    }

    /** In checked mode, a segment kept past its scope throws on the next access instead of aliasing. */
    private static void checkedMode(PrintStream out) {
        BumpConfig checked = BumpConfig.defaults().withChecked(true);
        try (BumpAllocator arena = BumpAllocator.create(4096, checked)) {
            MemorySegment escaped;
            try (Scope _ = arena.scope()) {
                escaped = arena.allocate(ValueLayout.JAVA_LONG);
                escaped.set(ValueLayout.JAVA_LONG, 0, 42L);
            }
            MemorySegment reused = arena.allocate(ValueLayout.JAVA_LONG);
            reused.set(ValueLayout.JAVA_LONG, 0, 7L);
            try {
                escaped.get(ValueLayout.JAVA_LONG, 0);
                out.println("  checked mode: the stale read was not caught");
            } catch (IllegalStateException e) {
                out.println("  checked mode: reading a segment after its scope closed throws "
                        + e.getClass().getSimpleName() + " (\"" + e.getMessage() + "\")");
            }
        }
    }
}
