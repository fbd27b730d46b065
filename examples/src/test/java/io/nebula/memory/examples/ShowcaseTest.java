package io.nebula.memory.examples;

import io.nebula.memory.simd.MemoryKernels;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                "== async arena",
                "== compression"}) {
            int at = out.indexOf("\n" + header);
            int after = previous;
            assertTrue(at > after, () -> "\"" + header + "\" missing or out of order in:\n" + out);
            previous = at;
        }
    }

    @Test
    void everyLineFitsAHundredColumnsAndNoneRepeatsThreeTimes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Showcase.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        for (String line : lines) {
            assertTrue(line.length() <= Showcase.COLUMNS, () -> line.length() + " columns: " + line);
            assertEquals(line.stripTrailing(), line, "trailing spaces");
        }
        Map<String, Long> counts = lines.stream().filter(line -> !line.isBlank())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        counts.forEach((line, count) -> assertTrue(count < 3, () -> count + " times: " + line));
    }

    /** As README's quick start runs it: the showcase's own line comes first, nothing from the JVM before it. */
    @Test
    void aPlainRunStartsWithTheShowcaseAndNoWarning() throws Exception {
        List<String> lines = runMain();
        assertTrue(lines.getFirst().startsWith("nebula-memory showcase on Java "), lines.getFirst());
        assertTrue(lines.stream().noneMatch(line -> line.contains("WARNING")), () -> String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(line -> line.contains("--add-modules jdk.incubator.vector")),
                "the showcase says how to get the Vector API kernels");
    }

    /** With the Vector API, the JVM's incubator notice comes first; the showcase explains it. */
    @Test
    void aRunWithTheVectorApiExplainsTheJvmsNotice() throws Exception {
        List<String> lines = runMain("--add-modules", "jdk.incubator.vector");
        assertEquals("WARNING: Using incubator modules: jdk.incubator.vector", lines.getFirst());
        assertTrue(lines.get(1).startsWith("nebula-memory showcase on Java "), lines.get(1));
        assertTrue(lines.stream().anyMatch(line -> line.contains("JDK's notice that the Vector API incubates")),
                () -> String.join("\n", lines));
    }

    /** Runs {@code Showcase.main} in a JVM of its own, as the command line does; its output and errors merged. */
    private static List<String> runMain(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of(options));
        command.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                Showcase.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return output.lines().toList();
    }
}
