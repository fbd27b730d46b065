package io.nebula.memory.examples;

import io.nebula.memory.simd.MemoryKernels;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ShowcaseTest {

    @Test
    void showsWhatEachAllocatorDid() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Showcase.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        for (String expected : new String[] {
                "GET /users/42  -> 2 words",
                "after the requests: 0 bytes in use; 6 allocations",
                "3 releases",
                "opened 4 connections (ports 5000-5003): 0 free blocks",
                "a fifth connection is refused: OUT_OF_MEMORY",
                "same block reused = true",
                "all returned: 4 of 4 blocks free",
                "sum of squares 1..20 computed recursively = 2870",
                "0 bytes in use after",
                "reversed \"stack\" in a scope: \"kcats\" (depth 1 inside the scope)",
                "scope closed: depth 0",
                "MemoryKernels: " + MemoryKernels.activeVariant(),
                "the copies first differ at byte 12345"}) {
            assertTrue(out.contains(expected), () -> "missing \"" + expected + "\" in:\n" + out);
        }
        int previous = out.indexOf("the copies first differ at byte");
        for (String header : new String[] {
                "== error handling",
                "== integration patterns",
                "== annotation showcase",
                "== allocator comparison",
                "== advanced patterns",
                "== async arena"}) {
            int at = out.indexOf("\n" + header);
            int after = previous;
            assertTrue(at > after, () -> "\"" + header + "\" missing or out of order in:\n" + out);
            previous = at;
        }
    }
}
