package io.nebula.memory.simd;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a fresh JVM selects, seen from outside: each test starts one with the flags a user might pass.
 *
 * <p>The build runs this class once, in the execution without {@code jdk.incubator.vector}; the children choose
 * their own modules.
 */
class KernelStartupTest {

    /** Prints the selection and uses every kernel once, above and below the thresholds. */
    public static final class Probe {

        private Probe() {
        }

        /**
         * Runs the probe.
         *
         * @param args ignored
         */
        public static void main(String[] args) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocate(4096);
                MemorySegment b = arena.allocate(4096);
                for (long size : new long[] {8, 4096}) {
                    MemoryKernels.fill(a, 0, size, (byte) 3);
                    MemoryKernels.copy(a, 0, b, 0, size);
                    if (!MemoryKernels.equals(a, 0, b, 0, size)) {
                        throw new AssertionError("kernels disagree at " + size + " bytes");
                    }
                }
            }
            System.out.println("variant=" + MemoryKernels.activeVariant());
            System.out.println("description=" + MemoryKernels.description());
        }
    }

    @Test
    void withoutTheModuleTheRuntimeRunsSilentlyAndLoadsNoVectorClass() throws Exception {
        Result result = run("-Xlog:class+load=info");
        assertTrue(result.stdout.contains("variant=BULK"), result.stdout);
        assertEquals("", result.stderr, "no warning on the error stream");
        // Lines of -Xlog:class+load read "[time][info][class,load] the.class.Name source: ..."
        assertFalse(result.stdout.contains("] jdk.incubator.vector."), "a Vector API class was loaded");
        assertFalse(result.stdout.contains("] io.nebula.memory.simd.VectorKernels "), "VectorKernels was loaded");
        assertTrue(result.stdout.contains("] io.nebula.memory.simd.MemoryKernels "), "the log format changed");
    }

    @Test
    void withTheModuleAndC2TheVectorVariantRuns() throws Exception {
        Result result = run("--add-modules", "jdk.incubator.vector");
        assertTrue(result.stdout.contains("variant=VECTOR"), result.stdout);
    }

    @Test
    void underC1OnlyTheFallbackRunsEvenWithTheModule() throws Exception {
        // Level 1 shows in java.vm.info; level 3 only in the HotSpot flags.
        for (String level : new String[] {"1", "3"}) {
            Result result = run("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=" + level);
            assertTrue(result.stdout.contains("variant=BULK"), result.stdout);
            assertTrue(result.stdout.contains("C1 only"), result.stdout);
        }
    }

    @Test
    void thePropertyForcesTheFallback() throws Exception {
        Result result = run("--add-modules", "jdk.incubator.vector", "-Dnebula.memory.kernels=bulk");
        assertTrue(result.stdout.contains("variant=BULK"), result.stdout);
        assertTrue(result.stdout.contains("forced by -Dnebula.memory.kernels=bulk"), result.stdout);
    }

    private record Result(String stdout, String stderr) {
    }

    /**
     * The runtime, the probe and their dependencies on one class path: the tests themselves may run on the module
     * path, with the runtime and the test classes patched into it, where {@code java.class.path} holds only the
     * test libraries.
     */
    private static String childClassPath() {
        List<String> entries = new ArrayList<>();
        try {
            entries.add(Path.of(Probe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String value = System.getProperty(property, "");
            if (!value.isEmpty()) {
                entries.add(value);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static Result run(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.add("-cp");
        command.add(childClassPath());
        command.add(Probe.class.getName());
        Process process = new ProcessBuilder(command).start();
        try {
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            String stdout = read(process.getInputStream());
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
            String errors = stderr.join();
            assertEquals(0, process.exitValue(), stdout + errors);
            return new Result(stdout, errors);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
