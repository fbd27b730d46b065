package io.nebula.memory.examples;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.Scope;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.simd.KernelVariant;
import io.nebula.memory.simd.MemoryKernels;
import io.nebula.memory.stack.StackAllocator;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A tour of the three allocators: a request-scoped bump arena, a pool of fixed-size connection records, and a
 * stack with a scope per call of a recursive evaluator, then the SIMD kernels. Prints what each one did, then runs
 * every example program: {@link ErrorHandling}, {@link IntegrationPatterns}, {@link AnnotationShowcase},
 * {@link AllocatorComparison}, {@link AdvancedPatterns}, {@link AsyncPipelineExample} and
 * {@link CompressionExample}.
 */
public final class Showcase {

    /** The widest line the showcase prints. */
    static final int COLUMNS = 100;

    private Showcase() {
    }

    /**
     * Runs the showcase.
     *
     * @param args ignored
     * @throws Exception if an example fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the showcase, printing to {@code target}: the tour of the allocators and the kernels, then every example
     * program in turn, each line at most {@value #COLUMNS} columns (longer ones are folded).
     *
     * @param target where to print
     * @throws Exception if an example fails
     */
    public static void run(PrintStream target) throws Exception {
        PrintStream out = FoldedOutput.foldedAt(target, COLUMNS);
        try {
            tour(out);
        } finally {
            out.close();
        }
    }

    private static void tour(PrintStream out) throws Exception {
        out.println("nebula-memory showcase on Java " + Runtime.version());
        out.println();
        bump(out);
        pool(out);
        stack(out);
        kernels(out);
        out.println();
        ErrorHandling.run(out);
        IntegrationPatterns.run(out);
        AnnotationShowcase.run(out);
        AllocatorComparison.run(out);
        AdvancedPatterns.run(out);
        AsyncPipelineExample.run(out);
        CompressionExample.run(out);
    }

    private static void bump(PrintStream out) {
        out.println("BumpAllocator: one 64 KiB arena, a scope per request");
        BumpConfig config = BumpConfig.defaults().withTrackStats(true);
        try (BumpAllocator arena = BumpAllocator.create(64 * 1024, config)) {
            String[] requests = {"GET /users/42", "POST /orders", "GET /health"};
            for (String request : requests) {
                try (Scope _ = arena.scope()) {
                    MemorySegment text = arena.allocateFrom(request);
                    MemorySegment words = arena.allocate(ValueLayout.JAVA_LONG, 16);
                    int count = splitWords(text, words);
                    out.printf("  %-14s -> %d words, %3d bytes in use inside the scope%n", request, count,
                            arena.usedBytes());
                }
            }
            AllocationStatistics stats = arena.statistics().orElseThrow();
            out.printf("  after the requests: %d bytes in use; %d allocations, peak %d bytes, %d releases%n",
                    arena.usedBytes(), stats.allocations(), stats.peakBytes(), stats.resets());
        }
        out.println();
    }

    /** Records the start offsets of the words of a NUL-terminated string; returns how many there are. */
    private static int splitWords(MemorySegment text, MemorySegment starts) {
        int count = 0;
        boolean inWord = false;
        for (long i = 0; i < text.byteSize() - 1; i++) {
            boolean space = text.get(ValueLayout.JAVA_BYTE, i) == ' ';
            if (!space && !inWord) {
                starts.setAtIndex(ValueLayout.JAVA_LONG, count++, i);
            }
            inWord = !space;
        }
        return count;
    }

    private static void pool(PrintStream out) {
        out.println("PoolAllocator: 4 connection records of 64 bytes, growth off");
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 4, PoolConfig.defaults())) {
            MemorySegment[] connections = new MemorySegment[4];
            for (int i = 0; i < connections.length; i++) {
                connections[i] = pool.allocate();
                connections[i].set(ValueLayout.JAVA_INT, 0, 5000 + i);
            }
            out.printf("  opened 4 connections (ports 5000-5003): %d free blocks%n", pool.freeBlocks());
            try {
                pool.allocate();
            } catch (AllocationException e) {
                out.println("  a fifth connection is refused: " + e.code() + ", first suggestion: "
                        + e.suggestions().getFirst());
            }
            pool.deallocate(connections[1]);
            MemorySegment reused = pool.allocate();
            out.printf("  closed port 5001 and opened another: same block reused = %b%n",
                    reused.address() == connections[1].address());
            for (MemorySegment connection : new MemorySegment[] {connections[0], reused, connections[2],
                    connections[3]}) {
                pool.deallocate(connection);
            }
            out.printf("  all returned: %d of %d blocks free%n", pool.freeBlocks(), pool.blockCount());
        }
        out.println();
    }

    private static void stack(PrintStream out) {
        out.println("StackAllocator: a scope per recursive call");
        try (StackAllocator stack = StackAllocator.create(8 * 1024)) {
            long[] peak = new long[1];
            long sum = sumOfSquares(stack, 20, peak);
            out.printf("  sum of squares 1..20 computed recursively = %d; peak %d bytes, %d bytes in use after%n",
                    sum, peak[0], stack.usedBytes());
            String word = "stack";
            try (Scope _ = stack.scope()) {
                MemorySegment buffer = stack.allocate(word.length());
                MemorySegment.copy(word.getBytes(StandardCharsets.US_ASCII), 0, buffer, ValueLayout.JAVA_BYTE, 0,
                        word.length());
                for (long i = 0, j = buffer.byteSize() - 1; i < j; i++, j--) {
                    byte a = buffer.get(ValueLayout.JAVA_BYTE, i);
                    buffer.set(ValueLayout.JAVA_BYTE, i, buffer.get(ValueLayout.JAVA_BYTE, j));
                    buffer.set(ValueLayout.JAVA_BYTE, j, a);
                }
                byte[] reversed = buffer.toArray(ValueLayout.JAVA_BYTE);
                out.printf("  reversed \"%s\" in a scope: \"%s\" (depth %d inside the scope)%n", word,
                        new String(reversed, StandardCharsets.US_ASCII), stack.depth());
            }
            out.printf("  scope closed: depth %d%n", stack.depth());
        }
    }

    private static void kernels(PrintStream out) {
        out.println();
        out.println("MemoryKernels: " + MemoryKernels.description());
        if (MemoryKernels.activeVariant() == KernelVariant.VECTOR) {
            out.println("  The JVM's first line, \"WARNING: Using incubator modules: jdk.incubator.vector\", is the");
            out.println("  JDK's notice that the Vector API incubates, printed for any program that adds the module.");
        }
        try (BumpAllocator arena = BumpAllocator.create(64 * 1024)) {
            MemorySegment a = arena.allocate(16 * 1024, 64);
            MemorySegment b = arena.allocate(16 * 1024, 64);
            MemoryKernels.fill(a, 0, a.byteSize(), (byte) 0x5A);
            MemoryKernels.copy(a, 0, b, 0, a.byteSize());
            b.set(ValueLayout.JAVA_BYTE, 12_345, (byte) 0);
            out.printf("  filled and copied 16 KiB; the copies first differ at byte %d%n",
                    MemoryKernels.mismatch(a, 0, b, 0, a.byteSize()));
        }
    }

    private static long sumOfSquares(StackAllocator stack, int n, long[] peak) {
        if (n == 0) {
            return 0;
        }
        try (Scope _ = stack.scope()) {
            MemorySegment local = stack.allocate(ValueLayout.JAVA_LONG);
            local.set(ValueLayout.JAVA_LONG, 0, (long) n * n);
            peak[0] = Math.max(peak[0], stack.usedBytes());
            return local.get(ValueLayout.JAVA_LONG, 0) + sumOfSquares(stack, n - 1, peak);
        }
    }
}
