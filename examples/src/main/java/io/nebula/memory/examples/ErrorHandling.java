package io.nebula.memory.examples;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Graceful degradation: what to do when an allocator says no. Out of memory answered by a reset, a fallback
 * chain to a larger allocator, and pool exhaustion with and without growth, printing the errors as users see
 * them.
 */
public final class ErrorHandling {

    private ErrorHandling() {
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
        out.println("== error handling: graceful degradation");
        recoverByReset(out);
        fallbackChain(out);
        poolExhaustion(out);
        misuseIsCaught(out);
        out.println();
    }

    /** A batch job that processes records in a fixed arena and resets it whenever it fills up. */
    private static void recoverByReset(PrintStream out) {
        try (BumpAllocator arena = BumpAllocator.create(4096)) {
            int resets = 0;
            int processed = 0;
            for (int record = 0; record < 100; record++) {
                MemorySegment buffer;
                try {
                    buffer = arena.allocate(300, 8);
                } catch (AllocationException e) {
                    if (e.code() != ErrorCode.OUT_OF_MEMORY) {
                        throw e;
                    }
                    if (resets == 0) {
                        out.println("  the first refusal, as the arena reports it:");
                        e.getMessage().lines().forEach(line -> out.println("    | " + line));
                    }
                    arena.reset();
                    resets++;
                    buffer = arena.allocate(300, 8);
                }
                buffer.fill((byte) record);
                processed++;
            }
            out.printf("  recover by reset: %d records of 300 bytes through a 4 KiB arena, %d resets%n", processed,
                    resets);
        }
    }

    /** Tries a small, fast arena first and falls back to larger ones; the largest request decides. */
    private static void fallbackChain(PrintStream out) {
        BumpConfig quiet = BumpConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE);
        try (BumpAllocator small = BumpAllocator.create(1024, quiet);
             BumpAllocator medium = BumpAllocator.create(64 * 1024, quiet);
             BumpAllocator large = BumpAllocator.create(1024 * 1024, quiet)) {
            List<Allocator> chain = List.of(small, medium, large);
            for (long size : new long[] {512, 16 * 1024, 512 * 1024, 4 * 1024 * 1024}) {
                out.printf("  fallback chain: %7d bytes -> %s%n", size, allocateFromChain(chain, size));
            }
        }
    }

    private static String allocateFromChain(List<Allocator> chain, long size) {
        AllocationException last = null;
        for (Allocator allocator : chain) {
            try {
                allocator.allocate(size, 16);
                return "served by " + allocator.toString().replaceFirst(", used=.*", "]");
            } catch (AllocationException e) {
                last = e;
            }
        }
        return "refused by every allocator: " + last.code() + " (" + last.suggestions().getFirst() + ")";
    }

    /** A pool of connection slots: without growth it refuses the ninth client; with growth it adds a chunk. */
    private static void poolExhaustion(PrintStream out) {
        PoolConfig fixed = PoolConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE);
        try (PoolAllocator pool = PoolAllocator.create(128, 8, 8, fixed)) {
            int served = 0;
            try {
                for (int client = 0; client < 9; client++) {
                    pool.allocate();
                    served++;
                }
            } catch (AllocationException e) {
                out.printf("  fixed pool: served %d clients, then %s: %s%n", served, e.code(),
                        e.suggestions().getFirst());
            }
        }
        PoolConfig growing = fixed.withAllowGrowth(true).withMaxBlocks(32);
        try (PoolAllocator pool = PoolAllocator.create(128, 8, 8, growing)) {
            List<MemorySegment> clients = new ArrayList<>();
            try {
                while (true) {
                    clients.add(pool.allocate());
                }
            } catch (AllocationException e) {
                out.printf("  growing pool: served %d clients in %d chunks, then %s at maxBlocks%n",
                        clients.size(), pool.chunkCount(), e.code());
            }
            clients.forEach(pool::deallocate);
            out.printf("  after the clients left: %d of %d blocks free%n", pool.freeBlocks(), pool.blockCount());
        }
    }

    /** Mistakes are refused with a code of their own, and the allocator stays usable. */
    private static void misuseIsCaught(PrintStream out) {
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 4);
             BumpAllocator other = BumpAllocator.create(256)) {
            MemorySegment block = pool.allocate();
            pool.deallocate(block);
            for (Runnable mistake : new Runnable[] {
                    () -> pool.deallocate(block),
                    () -> pool.deallocate(other.allocate(64)),
                    () -> pool.allocate(65, 8)}) {
                try {
                    mistake.run();
                } catch (AllocationException e) {
                    out.printf("  caught %-15s %s%n", e.code(), e.details());
                }
            }
            out.printf("  the pool is unharmed: %d of %d blocks free%n", pool.freeBlocks(), pool.blockCount());
        }
    }
}
