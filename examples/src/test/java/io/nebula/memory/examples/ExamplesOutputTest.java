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
    void integrationPatterns() throws Exception {
        String out = output(IntegrationPatterns::run);
        assertPrinted(out,
                "POST /orders, a 4 KiB arena scoped to each request:",
                "  3 line(s) -> 200 total 39.89, top sku 1001, 48 bytes in use, 0 after, on orders-handler",
                "  1 line(s) -> 200 total 150.00, top sku 2001, 16 bytes in use, 0 after, on orders-handler",
                "  2 line(s) -> 400 line 2: quantity \"two\" is not a number, 0 after, on orders-handler",
                "300 line(s) -> 413 too many lines: the request needs 16 bytes at offset 4096 but only 0 bytes remain,"
                        + " 0 after, on orders-handler",
                "  2 line(s) -> 200 total 19.99, top sku 5002, 32 bytes in use, 0 after, on orders-handler",
                "arena over 5 requests: 263 allocations, 1 failed, peak 4096 bytes, 5 scope releases, 0 bytes in use",
                "server stopped, handler closed on its own thread",
                "expression trees in a 4 KiB arena, 24-byte nodes",
                "1 + 2 * 3              = 7               5 nodes, 120 bytes: (+ 1 (* 2 3))",
                "(1 + 2) * 3 - 4 / 2    = 7               9 nodes, 216 bytes: (- (* (+ 1 2) 3) (/ 4 2))",
                "2 * (3 + 4) * (5 - 1)  = 56              9 nodes, 216 bytes: (* (* 2 (+ 3 4)) (- 5 1))",
                "-(8 - 3) * 4           = -20             6 nodes, 144 bytes: (* (neg (- 8 3)) 4)",
                "7 / (3 - 3)            fails: / by zero  5 nodes, 120 bytes: (/ 7 (- 3 3))",
                "1 + (2 * 3             syntax error: expected ')' at position 10 (96 bytes of partial tree)",
                "after the last reset: 0 bytes in use",
                "0 of 4 in use (16-byte records)",
                "replicate(\"k=v\", 3) holds 3 of 4 in use",
                "returned 9 bytes sent; 0 of 4 in use",
                "replicate(\"key=value\", 2) holds 3 of 4 in use",
                "after the nested call the audit connection alone: 1 of 4 in use",
                "returned 36 bytes sent; 0 of 4 in use",
                "replicate(\"x\", 5) fails with OUT_OF_MEMORY on the fifth connection; 0 of 4 in use",
                "a control connection taken outside any scope stays: 1 of 4 in use",
                "given back with allocator().deallocate: 0 of 4 in use");
    }

    @Test
    void annotationShowcase() throws Exception {
        assertPrinted(output(AnnotationShowcase::run),
                "@Struct Point: LAYOUT [i4(x)i4(y)], SIZE 8, ALIGNMENT 4, OFFSET_X 0, OFFSET_Y 4",
                "float[] velocity): SIZE 40, ALIGNMENT 8, offsets 0 8 16 24, LENGTH_VELOCITY 3,"
                        + " padding $pad0 7 B at 9, $pad1 4 B at 36",
                "@Struct Header(byte, int, short): SIZE 12, offsets 0 4 8, padding $pad0 3 B at 1, $pad1 2 B at 10",
                "WireHeader: SIZE 7, ALIGNMENT 1, offsets 0 1 5; bytes of (1, 0x01020304, 7): 01 01 02 03 04 00 07",
                "Vec3(float, float, float): 12 bytes of fields, SIZE 16, ALIGNMENT 16, padding $pad0 4 B at 12",
                "toRecord() position (2, 2), kind 7, mass 1.5, velocity [0.5, 0.0, 9.5];"
                        + " velocity(3) throws IndexOutOfBoundsException",
                "allocateArray(arena, 100): 800 bytes; one View moved by moveToElement, sum of x = 4950;"
                        + " static getY(points, 99 * SIZE) = 198",
                "Shapes: create() owns BumpAllocator[capacity=4096, used=0]",
                "@Alloc: origin() -> (0, 0), point(int x, int y) -> (3, 4), pointAtHeight(int y) -> (0, 7),"
                        + " point(Point value) -> (5, 6)",
                "@Alloc(count = 10) View -> 80 bytes, view at offset 0; @Alloc(struct = Point.class, count = 10)"
                        + " MemorySegment -> 80 bytes; @Alloc(bytes = 256, alignment = 64) -> 256 bytes,"
                        + " address % 64 = 0, all zero: true",
                "outside any scope the 448 bytes stay until allocator().reset(): 0 after",
                "@MemoryScope return: perimeter(100) = 618 with 80 bytes inside, 0 after",
                "@MemoryScope throw: IOException(\"disk full after 256 bytes\") passes through, 0 after",
                "@MemoryScope nested: 88 bytes inside inner(), 8 back in outer(), 0 after",
                "trackStats = true: 4 allocations, peak 256 bytes, 4 scope releases",
                "recursive sumOfSquares(10) = 385, a scope per call, deepest 80 bytes, 0 after, depth 0",
                "doubleArea(6, 4) = 24 with 24 bytes (3 blocks of 8) inside, 8 of 8 blocks free after",
                "line() -> 64 bytes, address % 64 = 0; taken outside a scope, 1 of 2 free until deallocate",
                "fillPattern = 0xAA: a raw allocation starts aa, an @Alloc one 00 (zeroed);"
                        + " checked = true: a view kept past its scope throws IllegalStateException",
                "threadSafe = true: 4 threads x 1000 scoped calls on one pool of 16, checksum 2662668000,"
                        + " 0 blocks in use after",
                "generated names: top level ParticleSystem_Memory extends ParticleSystem owning a BumpAllocator,"
                        + " ParticleStruct; nested AnnotationShowcase_Shapes_Memory extends Shapes owning a"
                        + " BumpAllocator, AnnotationShowcase_PointStruct with AnnotationShowcase_PointStruct.View");
    }

    @Test
    void allocatorComparison() throws Exception {
        String out = output(AllocatorComparison::run);
        assertPrinted(out, "BumpAllocator  : many allocations that die together", "bump, then reset",
                "pool, allocate and free", "stack, in a scope", "Arena.ofConfined per batch",
                "run the JMH suite: see docs/BENCHMARKS.md");
        assertTrue(out.lines().filter(l -> l.matches("\\s{4}\\S.*\\s+\\d+\\.\\d")).count() == 4,
                () -> "four timings in:\n" + out);
    }

    @Test
    void advancedPatterns() throws Exception {
        assertPrinted(output(AdvancedPatterns::run),
                "nested scopes: peak 3584 bytes, 1024 bytes after the sections, 0 after the document",
                "merge sort in stack scopes: [1, 3, 5, 9, 10, 14, 27, 38, 43, 61, 72, 82], deepest stack 2"
                        + " allocations, 0 after",
                "thread-safe pool: 4 threads x 10000 messages, each through its own cache, checksum 199980000,"
                        + " 40000 allocations = 40000 deallocations, 0 blocks in use after",
                "statistics as JSON: {\"allocations\":40000,\"deallocations\":40000,",
                "thread-safe stack: 4 threads x 1000 scopes on their own stacks, checksum 2016000, depth 0 after",
                "leak report: LEAK: StackAllocator[capacity=1024, used=128, depth=2, checked] closed with 2 live"
                        + " allocation(s) holding 128 bytes",
                "first live allocation made at io.nebula.memory.examples.AdvancedPatterns.leakReport",
                "checked mode: reading a segment after its scope closed throws IllegalStateException");
    }
}
