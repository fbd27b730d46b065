package io.nebula.memory.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs each example and checks what it printed, so the examples keep working and keep telling the truth. */
class ExamplesOutputTest {

    private interface Example {
        void run(PrintStream out) throws Exception;
    }

    private static String output(Example example) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        example.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void assertPrinted(String out, String... expected) {
        for (String e : expected) {
            assertTrue(out.contains(e), () -> "missing \"" + e + "\" in:\n" + out);
        }
    }

    @Test
    void errorHandling() throws Exception {
        assertPrinted(output(ErrorHandling::run),
                "| Memory allocation error: Out of memory [OUT_OF_MEMORY]",
                "|    1. Increase the capacity to at least",
                "recover by reset: 100 records of 300 bytes through a 4 KiB arena, 7 resets",
                "fallback chain:     512 bytes -> served by BumpAllocator[capacity=1024]",
                "fallback chain:   16384 bytes -> served by BumpAllocator[capacity=65536]",
                "fallback chain:  524288 bytes -> served by BumpAllocator[capacity=1048576]",
                "fallback chain: 4194304 bytes -> refused by every allocator: OUT_OF_MEMORY",
                "fixed pool: served 8 clients, then OUT_OF_MEMORY: Enable growth",
                "growing pool: served 32 clients in 4 chunks, then OUT_OF_MEMORY at maxBlocks",
                "after the clients left: 32 of 32 blocks free",
                "caught DOUBLE_FREE",
                "caught FOREIGN_SEGMENT",
                "caught INVALID_SIZE    the request is 65 bytes but the pool's blocks are 64 bytes",
                "the pool is unharmed: 4 of 4 blocks free");
    }

    @Test
    void allocatorComparison() throws Exception {
        String out = output(AllocatorComparison::run);
        assertPrinted(out, "BumpAllocator  : many allocations that die together", "bump, then reset",
                "pool, allocate and free", "stack, in a frame", "Arena.ofConfined per batch",
                "run the JMH suite: see docs/BENCHMARKS.md");
        assertTrue(out.lines().filter(l -> l.matches("\\s{4}\\S.*\\s+\\d+\\.\\d")).count() == 4,
                () -> "four timings in:\n" + out);
    }

    @Test
    void advancedPatterns() throws Exception {
        assertPrinted(output(AdvancedPatterns::run),
                "nested scopes: peak 3584 bytes, 1024 bytes after the sections, 0 after the document",
                "merge sort in stack frames: [1, 3, 5, 9, 10, 14, 27, 38, 43, 61, 72, 82], deepest stack 2"
                        + " allocations, 0 after",
                "shared pool: 4 threads x 10000 messages, checksum 199980000, 40000 allocations = 40000"
                        + " deallocations, 0 blocks in use after",
                "statistics as JSON: {\"allocations\":40000,\"deallocations\":40000,",
                "leak report: LEAK: StackAllocator[capacity=1024, used=128, depth=2, checked] closed with 2 live"
                        + " allocation(s) holding 128 bytes",
                "first live allocation made at io.nebula.memory.examples.AdvancedPatterns.leakReport",
                "checked mode: reading a segment after its scope closed throws IllegalStateException");
    }
}
