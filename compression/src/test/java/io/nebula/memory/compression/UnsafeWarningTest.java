package io.nebula.memory.compression;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees on first use, in a JVM started as a user would start it (the test JVM itself silences the
 * warning): the documentation promises exactly this. The defaults (LZ4, Java) print nothing; the aircompressor
 * codecs a user opts into print the JDK's {@code sun.misc.Unsafe} warning.
 */
class UnsafeWarningTest {

    private record Run(int exit, String out, String err) { }

    private static Run run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the child JVM did not finish");
        // The JVM announces JAVA_TOOL_OPTIONS and similar variables on stderr; they are the environment's, not ours.
        String errors = new String(err, StandardCharsets.UTF_8).lines()
                .filter(line -> !line.startsWith("Picked up "))
                .map(line -> line + "\n")
                .reduce("", String::concat);
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), errors);
    }

    @Test
    void theDefaultCodecWarnsAboutNothing() throws Exception {
        Run run = run(FirstUse.class.getName(), Codec.LZ4.name());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("ok "), run.out());
        assertEquals("", run.err());
        assertEquals(Codec.LZ4, StoreConfig.defaults().codec());
        assertEquals(CodecImplementation.JAVA, StoreConfig.defaults().implementation());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZSTD", "SNAPPY"})
    void theOptInAircompressorCodecsWarnOnceAboutUnsafe(String codec) throws Exception {
        Run run = run(FirstUse.class.getName(), codec);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("ok "), run.out());
        List<String> lines = run.err().lines().toList();
        assertEquals(4, lines.size(), run.err());
        assertEquals("WARNING: A terminally deprecated method in sun.misc.Unsafe has been called", lines.get(0));
        assertTrue(lines.get(1).matches("WARNING: sun\\.misc\\.Unsafe::\\w+ has been called by io\\.airlift\\."
                + "compress\\.v3\\." + codec.toLowerCase(java.util.Locale.ROOT)
                + "\\.\\w+ \\(file:.*aircompressor-v3-.*\\.jar\\)"), lines.get(1));
    }

    @Test
    void theTableOfCodecsSaysWhichUseUnsafe() {
        for (Codec codec : Codec.values()) {
            assertEquals(codec == Codec.ZSTD || codec == Codec.SNAPPY, codec.javaImplementationUsesUnsafe(),
                    codec::name);
        }
    }

    @Test
    void theFlagSilencesIt() throws Exception {
        Run run = run("--sun-misc-unsafe-memory-access=allow", FirstUse.class.getName(), "ZSTD");
        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.err());
    }

    @Test
    void deflateWarnsAboutNothing() throws Exception {
        Run run = run(FirstUse.class.getName(), "DEFLATE");
        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.err());
    }

    @Test
    void aNativeCodecNeedsNativeAccessOrWarns() throws Exception {
        Run warned = run("--sun-misc-unsafe-memory-access=allow", FirstUse.class.getName(), "LZ4", "NATIVE");
        assertEquals(0, warned.exit(), warned.err());
        assertTrue(warned.err().startsWith("WARNING: A restricted method in java.lang.foreign."), warned.err());
        assertTrue(warned.err().contains("--enable-native-access=ALL-UNNAMED"), warned.err());

        Run quiet = run("--enable-native-access=ALL-UNNAMED", FirstUse.class.getName(), "LZ4", "NATIVE");
        assertEquals(0, quiet.exit(), quiet.err());
        assertEquals("", quiet.err());
    }
}
